import { Hono, type Context } from 'hono';
import { communeEtag, type CommuneSettings } from '../../../domain/commune.js';
import { LoaError } from '../../../domain/errors.js';
import { gate } from '../../middleware/gate.js';
import { offsetAt } from '../../../domain/schedule/index.js';
import { communeSettingsPatchSchema } from '../../../services/seed/commune-file.js';
import type { WebDeps } from '../deps.js';
import { one, problemOf, readForm, type FormProblem, type FormValues } from '../forms.js';
import { checkInput } from '../input.js';
import { pageContext, seeOther, sendPage, signedIn, type PageContext } from '../page.js';
import { paths } from '../paths.js';
import { Layout, Section, notices } from '../ui.js';
import { Choices, Csrf, FormError, TextField } from '../form-fields.js';
import {
  controlOf,
  overwrittenMeanwhile,
  patchOf,
  settingsValues,
  slotField,
  versionField,
  wasField,
} from './settings-form-values.js';

function SettingsForm({
  p,
  s,
  version,
  values,
  problem,
}: {
  p: PageContext;
  s: CommuneSettings;
  version: number;
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
      <input
        type="hidden"
        name={versionField}
        value={values[versionField] === undefined ? String(version) : one(values, versionField)}
      />
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
    const commune = await services.communes.get(ctx);
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
          <SettingsForm
            p={p}
            s={s}
            version={commune.settingsVersion}
            values={values ?? settingsValues(s, p.lang)}
            problem={problem}
          />
        </Section>
      </Layout>,
      problem?.status ?? 200,
    );
  }

  app.get(paths.admin, gate('hamlet.manage'), (c) => renderAdmin(c));

  /**
   * Checked by the service's own schema, as the API's PATCH /api/v1/commune is; saved by the service over
   * the version read here, so that nobody's change lands in between unseen. A form that showed an older
   * version is refused when it would overwrite a setting changed since, and saved otherwise.
   */
  app.post(paths.admin, gate('commune.manage'), async (c) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const form = await readForm(c);
    // A form from before the version was carried saves as it did then: over whatever is stored.
    const shownVersion = one(form, versionField);
    for (let attempt = 1; ; attempt++) {
      const commune = await services.communes.get(ctx);
      const s = commune.settings;
      const patch = checkInput(communeSettingsPatchSchema, patchOf(form, s, p.lang), p, {
        controlOf: (path) => controlOf(path, s),
      });
      if (!patch.ok) return renderAdmin(c, form, patch.problem);
      if (shownVersion !== '' && shownVersion !== String(commune.settingsVersion)) {
        const refused = overwrittenMeanwhile(form, commune, p.lang);
        if (refused) return renderAdmin(c, refused.values, refused.problem);
      }
      try {
        await services.communes.updateSettings(
          ctx,
          patch.value,
          shownVersion === '' ? {} : { ifMatch: communeEtag(commune) },
        );
      } catch (error) {
        // Saved by someone else since it was read just now: read again and decide again, a few times.
        const stale = error instanceof LoaError && error.status === 412;
        if (stale && attempt < 3) continue;
        return renderAdmin(c, form, problemOf(error, p.lang));
      }
      return seeOther(c, paths.admin, 'savedSettings');
    }
  });

  return app;
}
