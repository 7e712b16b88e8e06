import type { Context } from 'hono';
import { BULLETIN_PLACES, type DeliveryStatus } from '../../../domain/bulletin.js';
import { utcToLocal } from '../../../domain/schedule/index.js';
import type { DeliveryView } from '../../../services/bulletin-inbox.js';
import { bulletinMessages, type BulletinMessages } from '../bulletin-messages.js';
import { communeOf, hamletsOf } from '../commune.js';
import type { WebDeps } from '../deps.js';
import { many, one, type FormProblem, type FormValues } from '../forms.js';
import { pageContext, sendPage, signedIn } from '../page.js';
import { paths } from '../paths.js';
import { Badge, Layout, Section } from '../ui.js';
import { Choices, Csrf, FormError, TextField } from '../form-fields.js';
import { shownAt } from './province-tokens.js';

const statusTone: Readonly<Record<DeliveryStatus, 'ok' | 'warn' | 'bad' | 'info' | 'muted'>> = {
  received: 'info',
  scheduled: 'warn',
  declined: 'bad',
  aired: 'ok',
  no_answer: 'bad',
};

/** What one commune did with a bulletin, as a cell: the status and what explains it. */
export function DeliveryState({
  bm,
  d,
  at,
}: {
  bm: BulletinMessages;
  d: DeliveryView;
  at: (iso: string) => string;
}) {
  return (
    <>
      <Badge tone={statusTone[d.status]}>{bm.statuses[d.status]}</Badge>
      {d.firstAiringAt ? <span class="meta">{` · ${bm.scheduledFor(at(d.firstAiringAt))}`}</span> : null}
      {d.airedReceivers > 0 ? <span class="meta">{` · ${bm.airedBy(d.airedReceivers)}`}</span> : null}
      {d.declineReason ? <p class="meta">{bm.declinedBecause(d.declineReason)}</p> : null}
      {d.slotPlace ? <p class="meta">{bm.places[d.slotPlace]}</p> : null}
    </>
  );
}

/** A failed answer to one bulletin: its card shows the values sent and the problem beside them. */
export interface InboxOptions {
  readonly failed?: { id: string; values: FormValues; problem: FormProblem };
}

/**
 * The commune office's inbox (`/ban-tin`): each bulletin from the province with its delivery, and the
 * forms to schedule it, decline it with a reason, or order a priority bulletin.
 */
export async function renderBulletinInbox(deps: WebDeps, c: Context, opts: InboxOptions = {}) {
  const { services } = deps;
  const ctx = signedIn(c);
  const p = pageContext(c);
  const bm = bulletinMessages[p.lang];
  const [items, commune, hamlets] = await Promise.all([
    services.bulletins.inbox(ctx),
    communeOf(services, ctx),
    hamletsOf(services, ctx),
  ]);
  const at = (v: string) => shownAt(p, v, commune.timeZone);
  const notice = {
    scheduled: bm.scheduledNotice,
    scheduledByOther: bm.scheduledByOtherNotice,
    declined: bm.declinedNotice,
    ordered: bm.orderedNotice,
  }[c.req.query('tb') ?? ''];
  const today = utcToLocal(deps.clock.now().getTime(), commune.timeZone).date;
  return sendPage(
    c,
    <Layout p={p} title={bm.inboxTitle} notice={notice}>
      <p class="meta">{bm.inboxIntro}</p>
      {items.length === 0 ? <p class="meta">{bm.noInbox}</p> : null}
      {items.map(({ bulletin, delivery, status }) => {
        const failed = opts.failed?.id === bulletin.id ? opts.failed : undefined;
        const values = failed?.values ?? {};
        const d = { ...delivery, status };
        return (
          <Section title={bulletin.title} id={`b-${bulletin.id}`}>
            <p data-bulletin={bulletin.id} data-status={status}>
              <Badge tone={bulletin.level === 'emergency' ? 'bad' : 'info'}>
                {bm.levels[bulletin.level]}
              </Badge>{' '}
              <DeliveryState bm={bm} d={d} at={at} />
              {bulletin.answerBy ? (
                <span class="meta">{` · ${bm.deadline(at(bulletin.answerBy))}`}</span>
              ) : null}
            </p>
            <FormError message={failed?.problem.general} />
            <p>
              <a href={paths.announcement(delivery.announcementId)}>{bm.addVersion}</a>
            </p>
            {delivery.decision === 'received' ? (
              <>
                {bulletin.level === 'normal' ? null : <p class="warning">{bm.notPlaced}</p>}
                <details
                  open={
                    bulletin.level !== 'normal' ||
                    (failed !== undefined && one(values, 'action') === 'schedule')
                  }
                >
                  <summary>{bm.schedule}</summary>
                  <form method="post" action={paths.scheduleBulletin(bulletin.id)} novalidate>
                    <Csrf p={p} />
                    <input type="hidden" name="action" value="schedule" />
                    <Choices
                      name="hamletIds"
                      type="checkbox"
                      label={bm.hamlets}
                      options={[
                        ['all', bm.allHamlets] as const,
                        ...hamlets.map((h) => [h.id, h.name] as const),
                      ]}
                      checked={failed ? many(values, 'hamletIds') : ['all']}
                      error={failed?.problem.fields.hamletIds}
                    />
                    <Choices
                      name="kind"
                      type="radio"
                      label={bm.when}
                      // An emergency airs at a time, never in a slot.
                      options={
                        bulletin.level === 'emergency'
                          ? [['at', bm.atTime] as const]
                          : [['at', bm.atTime] as const, ['slot', bm.inSlot] as const]
                      }
                      checked={[one(values, 'kind') || (bulletin.level === 'emergency' ? 'at' : 'slot')]}
                    />
                    <TextField
                      name="date"
                      type="date"
                      label={bm.date}
                      value={one(values, 'date') || today}
                      error={failed?.problem.fields.date}
                    />
                    <TextField
                      name="time"
                      type="time"
                      label={bm.time}
                      value={one(values, 'time') || '09:00'}
                      error={failed?.problem.fields.at}
                    />
                    <Choices
                      name="slot"
                      type="radio"
                      label={bm.slot}
                      options={commune.settings.slots.map(
                        (s) => [s.name, `${s.label} (${s.start})`] as const,
                      )}
                      checked={[one(values, 'slot') || (commune.settings.slots[0]?.name ?? '')]}
                      error={failed?.problem.fields.slot}
                    />
                    <button type="submit">{bm.schedule}</button>
                  </form>
                </details>
                {bulletin.level === 'normal' ? (
                  <details open={failed !== undefined && one(values, 'action') === 'decline'}>
                    <summary>{bm.decline}</summary>
                    <form method="post" action={paths.declineBulletin(bulletin.id)} novalidate>
                      <Csrf p={p} />
                      <input type="hidden" name="action" value="decline" />
                      <TextField
                        name="reason"
                        id={`reason-${bulletin.id}`}
                        label={bm.reason}
                        hint={bm.reasonHint}
                        value={one(values, 'reason')}
                        maxlength={500}
                        error={failed?.problem.fields.reason}
                        autofocus={!!failed?.problem.fields.reason}
                      />
                      <button type="submit" class="danger">
                        {bm.decline}
                      </button>
                    </form>
                  </details>
                ) : null}
              </>
            ) : null}
            {bulletin.level === 'priority' && delivery.broadcastIds.length > 0 ? (
              <form method="post" action={paths.orderBulletin(bulletin.id)} class="inline">
                <Csrf p={p} />
                <Choices
                  name="place"
                  id={`place-${bulletin.id}`}
                  type="radio"
                  label={bm.order}
                  options={BULLETIN_PLACES.map((x) => [x, bm.places[x]] as const)}
                  checked={[delivery.slotPlace ?? 'after_commune_priority']}
                />
                <button type="submit">{bm.order}</button>
              </form>
            ) : null}
          </Section>
        );
      })}
    </Layout>,
    opts.failed?.problem.status ?? 200,
  );
}
