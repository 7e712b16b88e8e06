import { Hono, type Context } from 'hono';
import type { CommuneSettings } from '../../../domain/commune.js';
import { DEFAULT_LISTEN_AGAIN } from '../../../domain/listen-again.js';
import { gate } from '../../middleware/gate.js';
import { offsetAt } from '../../../domain/schedule/index.js';
import { communeSettingsPatchSchema } from '../../../services/seed/commune-file.js';
import { communeOf } from '../commune.js';
import type { WebDeps } from '../deps.js';
import { one, problemOf, readForm, type FormProblem, type FormValues } from '../forms.js';
import { messages, type Lang } from '../i18n.js';
import { checkInput, decimal, shown } from '../input.js';
import { pageContext, seeOther, sendPage, signedIn, type PageContext } from '../page.js';
import { paths } from '../paths.js';
import { Layout, Section, notices } from '../ui.js';
import { Choices, Csrf, FormError, TextField } from '../form-fields.js';

// The settings form: one control per editable value; a standing slot's controls carry its fixed name.
const slotField = (slot: string, key: 'label' | 'start' | 'end' | 'maxAirTimeMin') => `slot-${slot}-${key}`;

const yesNo = (value: string): boolean | string => (value === 'yes' ? true : value === 'no' ? false : value);

/** The form's values for the stored settings. */
function settingsValues(s: CommuneSettings, lang: Lang): FormValues {
  const values: Record<string, string> = {
    quietStart: s.quietHours.start,
    quietEnd: s.quietHours.end,
    approvalRequired: s.approvalRequired ? 'yes' : 'no',
    integratedLufs: shown(s.audio.integratedLufs, lang),
    truePeakDbtp: shown(s.audio.truePeakDbtp, lang),
    maxLraLu: shown(s.audio.maxLraLu, lang),
    opus: s.audio.opus ? 'yes' : 'no',
    repeatCount: String(s.emergency.repeatCount),
    repeatIntervalMin: String(s.emergency.repeatIntervalMin),
    listenAgain: (s.listenAgain ?? DEFAULT_LISTEN_AGAIN).enabled ? 'yes' : 'no',
    listenAgainCategories: (s.listenAgain?.categories ?? [])
      .map((c) => messages[lang].categories[c] ?? c)
      .join(', '),
  };
  for (const slot of s.slots) {
    values[slotField(slot.name, 'label')] = slot.label;
    values[slotField(slot.name, 'start')] = slot.start;
    values[slotField(slot.name, 'end')] = slot.end;
    values[slotField(slot.name, 'maxAirTimeMin')] = String(slot.maxAirTimeMin);
  }
  return values;
}

/** The value a control had when the page was shown (`was-…`), carried by the form. */
const wasField = (name: string) => `was-${name}`;

/**
 * The patch the form asks for, unchecked: the service's own schema (`communeSettingsPatchSchema`) decides.
 * Only what the admin changed on the page is sent, each group whole: a setting another admin saved
 * meanwhile stays as they left it (a form without the shown values sends everything). Slots keep their
 * names and anything the form does not show (a relay).
 */
function patchOf(form: FormValues, s: CommuneSettings, lang: Lang) {
  const changed = (...names: string[]) =>
    names.some(
      (n) => form[wasField(n)] === undefined || one(form, n).trim() !== one(form, wasField(n)).trim(),
    );
  const slotFields = (name: string) =>
    (['label', 'start', 'end', 'maxAirTimeMin'] as const).map((k) => slotField(name, k));
  const categories = one(form, 'listenAgainCategories')
    .split(',')
    .map((c) => categoryCode(c.trim(), lang))
    .filter(Boolean);
  return {
    // A form from before the setting existed leaves it as it is.
    ...(one(form, 'listenAgain') !== '' &&
      changed('listenAgain', 'listenAgainCategories') && {
        listenAgain: {
          enabled: yesNo(one(form, 'listenAgain')),
          categories: categories.length > 0 ? categories : null,
        },
      }),
    ...(changed('quietStart', 'quietEnd') && {
      quietHours: { start: one(form, 'quietStart').trim(), end: one(form, 'quietEnd').trim() },
    }),
    ...(changed('approvalRequired') && { approvalRequired: yesNo(one(form, 'approvalRequired')) }),
    ...(changed('integratedLufs', 'truePeakDbtp', 'maxLraLu', 'opus') && {
      audio: {
        integratedLufs: decimal(one(form, 'integratedLufs')),
        truePeakDbtp: decimal(one(form, 'truePeakDbtp')),
        maxLraLu: decimal(one(form, 'maxLraLu')),
        opus: yesNo(one(form, 'opus')),
      },
    }),
    ...(changed('repeatCount', 'repeatIntervalMin') && {
      emergency: {
        repeatCount: decimal(one(form, 'repeatCount')),
        repeatIntervalMin: decimal(one(form, 'repeatIntervalMin')),
      },
    }),
    ...(s.slots.some((slot) => changed(...slotFields(slot.name))) && {
      slots: s.slots.map((slot) =>
        changed(...slotFields(slot.name))
          ? {
              ...slot,
              label: one(form, slotField(slot.name, 'label')),
              start: one(form, slotField(slot.name, 'start')).trim(),
              end: one(form, slotField(slot.name, 'end')).trim(),
              maxAirTimeMin: decimal(one(form, slotField(slot.name, 'maxAirTimeMin'))),
            }
          : slot,
      ),
    }),
  };
}

/** A category as typed: its name as the page shows it ("Y tế") stands for its code (`y-te`). */
function categoryCode(typed: string, lang: Lang): string {
  const wanted = typed.normalize('NFC').toLocaleLowerCase('vi');
  const known = Object.entries(messages[lang].categories).find(
    ([code, name]) => code === wanted || name.toLocaleLowerCase('vi') === wanted,
  );
  return known ? known[0] : typed;
}

/** The form control a schema issue is about. */
function controlOf(path: readonly PropertyKey[], s: CommuneSettings): string {
  const [group, key, sub] = path;
  if (group === 'quietHours') return key === 'start' ? 'quietStart' : 'quietEnd';
  if (group === 'listenAgain') return key === 'categories' ? 'listenAgainCategories' : 'listenAgain';
  if ((group === 'audio' || group === 'emergency') && typeof key === 'string') return key;
  if (group === 'slots' && typeof key === 'number') {
    const name = s.slots[key]?.name;
    if (name && (sub === 'label' || sub === 'start' || sub === 'end' || sub === 'maxAirTimeMin'))
      return slotField(name, sub);
  }
  return String(group ?? 'form');
}

function SettingsForm({
  p,
  s,
  values,
  problem,
}: {
  p: PageContext;
  s: CommuneSettings;
  values: FormValues;
  problem?: FormProblem | undefined;
}) {
  const m = p.m;
  const e = problem?.fields ?? {};
  const yesNoOptions = [
    ['yes', m.yes],
    ['no', m.no],
  ] as const;
  return (
    <form method="post" action={paths.admin} novalidate>
      <Csrf p={p} />
      {Object.entries(settingsValues(s, p.lang)).map(([name, now]) => (
        <input
          type="hidden"
          name={wasField(name)}
          value={values[wasField(name)] === undefined ? String(now) : one(values, wasField(name))}
        />
      ))}
      <FormError message={problem?.general} />
      <fieldset class="field">
        <legend>{m.quietHours}</legend>
        <p class="hint">{m.timeHint}</p>
        <div class="two">
          <TextField
            name="quietStart"
            label={m.quietStart}
            value={one(values, 'quietStart')}
            maxlength={5}
            error={e.quietStart}
          />
          <TextField
            name="quietEnd"
            label={m.quietEnd}
            value={one(values, 'quietEnd')}
            maxlength={5}
            error={e.quietEnd}
          />
        </div>
      </fieldset>
      <Choices
        type="radio"
        name="approvalRequired"
        label={m.approvalRequired}
        options={yesNoOptions}
        checked={[one(values, 'approvalRequired')]}
        error={e.approvalRequired}
      />
      <fieldset class="field">
        <legend>{m.audioTarget}</legend>
        <TextField
          name="integratedLufs"
          label={m.integratedLufs}
          value={one(values, 'integratedLufs')}
          error={e.integratedLufs}
        />
        <div class="two">
          <TextField
            name="truePeakDbtp"
            label={m.truePeakMax}
            value={one(values, 'truePeakDbtp')}
            error={e.truePeakDbtp}
          />
          <TextField
            name="maxLraLu"
            label={m.maxLra}
            value={one(values, 'maxLraLu')}
            inputmode="decimal"
            error={e.maxLraLu}
          />
        </div>
        <Choices
          type="radio"
          name="opus"
          label={m.opus}
          options={yesNoOptions}
          checked={[one(values, 'opus')]}
          error={e.opus}
        />
      </fieldset>
      <fieldset class="field">
        <legend>{m.emergencyRepeat}</legend>
        <div class="two">
          <TextField
            name="repeatCount"
            label={m.repeatCount}
            value={one(values, 'repeatCount')}
            inputmode="numeric"
            error={e.repeatCount}
          />
          <TextField
            name="repeatIntervalMin"
            label={m.repeatInterval}
            value={one(values, 'repeatIntervalMin')}
            inputmode="numeric"
            error={e.repeatIntervalMin}
          />
        </div>
      </fieldset>
      <fieldset class="field">
        <legend>{m.slots}</legend>
        {s.slots.map((slot) => {
          const f = (key: Parameters<typeof slotField>[1]) => slotField(slot.name, key);
          return (
            <fieldset class="field" id={`slot-${slot.name}`}>
              <legend>{`${slot.label} (${slot.start}–${slot.end})`}</legend>
              <TextField
                name={f('label')}
                label={m.slotLabel}
                value={one(values, f('label'))}
                maxlength={200}
                error={e[f('label')]}
              />
              <div class="two">
                <TextField
                  name={f('start')}
                  label={m.slotStart}
                  value={one(values, f('start'))}
                  maxlength={5}
                  error={e[f('start')]}
                />
                <TextField
                  name={f('end')}
                  label={m.slotEnd}
                  value={one(values, f('end'))}
                  maxlength={5}
                  error={e[f('end')]}
                />
              </div>
              <TextField
                name={f('maxAirTimeMin')}
                label={m.slotMaxAirTime}
                value={one(values, f('maxAirTimeMin'))}
                inputmode="numeric"
                error={e[f('maxAirTimeMin')]}
              />
            </fieldset>
          );
        })}
      </fieldset>
      <Choices
        type="radio"
        name="listenAgain"
        label={m.listenAgain.setting}
        options={yesNoOptions}
        checked={[one(values, 'listenAgain')]}
        error={e.listenAgain}
      />
      <TextField
        name="listenAgainCategories"
        label={m.listenAgain.categories}
        value={one(values, 'listenAgainCategories')}
        maxlength={1000}
        error={e.listenAgainCategories}
      />
      <p class="hint">{m.settingsHint}</p>
      <button type="submit">{m.saveSettings}</button>
    </form>
  );
}

// The zones a Vietnamese commune may be set to, by the names people use for them.
const zoneNames: Readonly<Record<string, 'vietnamTime'>> = {
  'Asia/Ho_Chi_Minh': 'vietnamTime',
  'Asia/Saigon': 'vietnamTime',
};

/**
 * A time zone as a person reads it: "Giờ Việt Nam (UTC+7)" rather than `Asia/Ho_Chi_Minh`; another zone
 * by its city, with its offset now.
 */
function timeZoneLabel(timeZone: string, nowMs: number, p: PageContext): string {
  const minutes = Math.round(offsetAt(nowMs, timeZone) / 60_000);
  const abs = Math.abs(minutes);
  const offset = `UTC${minutes < 0 ? '−' : '+'}${Math.floor(abs / 60)}${abs % 60 ? `:${String(abs % 60).padStart(2, '0')}` : ''}`;
  const known = zoneNames[timeZone];
  const name = known ? p.m[known] : (timeZone.split('/').pop() ?? timeZone).replace(/_/g, ' ');
  return `${name} (${offset})`;
}

export function adminRoutes(deps: WebDeps) {
  const { services } = deps;
  const app = new Hono();

  async function renderAdmin(c: Context, values?: FormValues, problem?: FormProblem) {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const m = p.m;
    const commune = await communeOf(services, ctx);
    const s = commune.settings;
    return sendPage(
      c,
      <Layout p={p} title={m.adminTitle} notice={notices(m)[c.req.query('tb') ?? '']}>
        <p class="actions">
          <a class="button secondary" href={paths.hamlets}>
            {m.hamletsTitle}
          </a>
          <a class="button secondary" href={paths.users}>
            {m.usersTitle}
          </a>
          <a class="button secondary" href={paths.receivers}>
            {m.receiversTitle}
          </a>
        </p>
        <Section title={m.settings} id="settings">
          <dl class="facts">
            <dt>{m.commune}</dt>
            <dd>{`${commune.name} (${m.code} ${commune.code})`}</dd>
            <dt>{m.timeZone}</dt>
            <dd>{timeZoneLabel(commune.timeZone, deps.clock.now().getTime(), p)}</dd>
            <dt>{m.languages}</dt>
            <dd>{s.languages.map((l) => l.name).join(', ')}</dd>
            <dt>{m.listenAgain.page}</dt>
            <dd>
              <a href={paths.listenAgain(commune.code)}>{paths.listenAgain(commune.code)}</a>
            </dd>
          </dl>
          <SettingsForm p={p} s={s} values={values ?? settingsValues(s, p.lang)} problem={problem} />
        </Section>
      </Layout>,
      problem?.status ?? 200,
    );
  }

  app.get(paths.admin, gate('hamlet.manage'), (c) => renderAdmin(c));

  // Checked by the service's own schema, as the API's PATCH /api/v1/commune is; saved by the service.
  app.post(paths.admin, gate('commune.manage'), async (c) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const form = await readForm(c);
    const s = (await communeOf(services, ctx)).settings;
    const patch = checkInput(communeSettingsPatchSchema, patchOf(form, s, p.lang), p, {
      controlOf: (path) => controlOf(path, s),
    });
    if (!patch.ok) return renderAdmin(c, form, patch.problem);
    try {
      await services.communes.updateSettings(ctx, patch.value);
    } catch (error) {
      return renderAdmin(c, form, problemOf(error, p.lang));
    }
    return seeOther(c, paths.admin, 'savedSettings');
  });

  return app;
}
