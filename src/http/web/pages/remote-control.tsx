import type { Hamlet } from '../../../domain/hamlet.js';
import type { ReceiverAlarm } from '../../../domain/receiver/alarm.js';
import { closeReasonOf, type CommandState, type ReceiverCommand } from '../../../domain/receiver/command.js';
import { isPlaceholderBox } from '../../../domain/receiver/receiver.js';
import { formatLocalEn, formatLocalVi } from '../../../domain/schedule/index.js';
import type { ReceiverView } from '../../../services/receivers.service.js';
import type { FormProblem, FormValues } from '../forms.js';
import { one } from '../forms.js';
import type { PageContext } from '../page.js';
import { paths } from '../paths.js';
import { Badge } from '../ui.js';
import { Csrf, FormError, SelectField, TextField } from '../form-fields.js';

const stateTone = {
  pending: 'info',
  delivered: 'info',
  acknowledged: 'ok',
  failed: 'bad',
  timed_out: 'warn',
  superseded: 'muted',
  cancelled: 'muted',
} as const satisfies Record<CommandState, string>;

/** The buttons of the form, each a command; `hoursOff` lifts the daily hours. */
const BUTTONS = ['volume', 'mute', 'unmute', 'hours', 'hoursOff', 'refresh', 'test_tone', 'restart'] as const;

/**
 * The form's fields as a command and its target: `r:<id>` a receiver, `h:<id>` every receiver of a
 * hamlet. The command is checked by the use case's schema, like the API's.
 */
export function commandOfForm(form: FormValues): { target: string; input: Record<string, unknown> } {
  const kind = one(form, 'kind');
  const number = (name: string) => (one(form, name).trim() === '' ? undefined : Number(one(form, name)));
  const input: Record<string, unknown> =
    kind === 'volume'
      ? { kind, volume: number('volume') }
      : kind === 'hours'
        ? { kind, hours: { on: one(form, 'on'), off: one(form, 'off') } }
        : kind === 'hoursOff'
          ? { kind: 'hours', hours: null }
          : { kind };
  return { target: one(form, 'target'), input };
}

/** A command's words for the list: "Đặt âm lượng 35 %", "Đặt giờ bật/tắt 05:00–21:00". */
function commandText(p: PageContext, c: ReceiverCommand): string {
  const kinds = p.m.remote.kinds;
  if (c.kind === 'volume') return `${kinds.volume} ${c.args.volume ?? ''} %`;
  if (c.kind === 'hours')
    return c.args.hours ? `${kinds.hours} ${c.args.hours.on}–${c.args.hours.off}` : kinds.hoursOff!;
  return kinds[c.kind] ?? c.kind;
}

/**
 * What came of a command after its state, " · …": the box's own words, or why the server closed it in
 * the page's words (the API keeps the server's English).
 */
function resultText(p: PageContext, c: ReceiverCommand): string {
  const reason = closeReasonOf(c);
  const text = reason ? p.m.remote.closeReason[reason] : c.result;
  return text ? ` · ${text}` : '';
}

/** Receivers in alarm with the time each alarm started. */
export function AlarmList({
  p,
  alarms,
  receiverName,
  timeZone,
}: {
  p: PageContext;
  alarms: readonly ReceiverAlarm[];
  receiverName: (id: string) => string;
  timeZone: string;
}) {
  const at = (iso: string) => (p.lang === 'vi' ? formatLocalVi : formatLocalEn)(Date.parse(iso), timeZone);
  if (alarms.length === 0) return <p>{p.m.remote.noAlarms}</p>;
  return (
    <ul class="list">
      {alarms.map((a) => (
        <li data-alarm={a.kind} data-receiver={a.receiverId}>
          <a href={paths.receiverDay(a.receiverId)}>
            <strong>{receiverName(a.receiverId)}</strong>
          </a>
          <p class="meta">
            <Badge tone="bad">{p.m.remote.alarmKind[a.kind] ?? a.kind}</Badge> ·{' '}
            {p.m.remote.alarmSince(at(a.startedAt))}
          </p>
        </li>
      ))}
    </ul>
  );
}

/** The remote control: a target, the values some commands need, one button per command, recent commands. */
export function RemoteControl({
  p,
  receivers,
  hamlets,
  commands,
  timeZone,
  problem,
  values,
  preselect,
}: {
  p: PageContext;
  receivers: readonly ReceiverView[];
  hamlets: readonly Hamlet[];
  commands: readonly ReceiverCommand[];
  timeZone: string;
  problem?: FormProblem | undefined;
  values?: FormValues | undefined;
  /** The target chosen on arrival (`?lenh=r:<id>` from the receivers page). */
  preselect?: string | undefined;
}) {
  const r = p.m.remote;
  const names = new Map(receivers.map((x) => [x.id, x.name]));
  const hamletName = new Map(hamlets.map((h) => [h.id, h.name]));
  const target = values ? one(values, 'target') : (preselect ?? '');
  const at = (iso: string) => (p.lang === 'vi' ? formatLocalVi : formatLocalEn)(Date.parse(iso), timeZone);
  const enabled = receivers.filter((x) => x.disabledAt === null);
  // Said before the officer sends: a command to a box that never connected would only time out.
  const targetLabel = (x: ReceiverView) => {
    const label = `${x.name} (${hamletName.get(x.hamletId) ?? x.hamletId})`;
    if (isPlaceholderBox(x)) return `${label} — ${r.placeholder}`;
    return x.lastSeenAt === null ? `${label} — ${r.neverConnected}` : label;
  };
  return (
    <>
      <p class="meta">{r.intro}</p>
      <form method="post" action={paths.remoteControl} id="remote-control">
        <Csrf p={p} />
        <FormError message={problem?.general} />
        <SelectField
          name="target"
          label={r.target}
          required
          value={target}
          error={problem?.fields.target}
          options={[
            ...enabled.map((x) => [`r:${x.id}`, targetLabel(x)] as const),
            ...hamlets.map((h) => [`h:${h.id}`, r.wholeHamlet(h.name)] as const),
          ]}
        />
        <TextField
          name="volume"
          label={r.volume}
          type="number"
          min="0"
          max="100"
          inputmode="numeric"
          value={values ? one(values, 'volume') : '80'}
          error={problem?.fields.volume}
        />
        <TextField
          name="on"
          label={r.hoursOn}
          type="time"
          value={values ? one(values, 'on') : '05:00'}
          error={problem?.fields.hours}
        />
        <TextField name="off" label={r.hoursOff} type="time" value={values ? one(values, 'off') : '21:30'} />
        <p class="actions">
          {BUTTONS.map((kind) => (
            <button
              type="submit"
              name="kind"
              value={kind}
              class={kind === 'restart' ? 'button danger' : kind === 'volume' ? 'button' : 'button secondary'}
            >
              {r.kinds[kind]}
            </button>
          ))}
        </p>
      </form>
      <h3>{r.recent}</h3>
      {commands.length === 0 ? <p>{r.noCommands}</p> : null}
      <ul class="list" id="commands">
        {commands.map((c) => (
          <li data-command={c.id} data-state={c.state}>
            <strong>{`${names.get(c.receiverId) ?? c.receiverId} · ${commandText(p, c)}`}</strong>
            <p class="meta">
              {at(c.issuedAt)} · <Badge tone={stateTone[c.state]}>{r.state[c.state] ?? c.state}</Badge>
              {resultText(p, c)}
            </p>
          </li>
        ))}
      </ul>
    </>
  );
}
