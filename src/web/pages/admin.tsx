import { Hono, type Context } from 'hono';
import { assertAllowed } from '../../domain/policy.js';
import { communeOf, formatNumber, hamletsOf, languageName } from '../commune.js';
import type { WebDeps } from '../deps.js';
import { many, one, problemOf, readForm, type FormProblem, type FormValues } from '../forms.js';
import { pageContext, seeOther, sendPage, signedIn } from '../page.js';
import { paths } from '../paths.js';
import { Badge, Choices, Csrf, FormError, Layout, Section, TextField, notices } from '../ui.js';

/** An optional coordinate: empty is null, anything else must be a number within its range. */
function coordinate(value: string, min: number, max: number): number | null | undefined {
  if (!value.trim()) return null;
  const n = Number(value.replace(',', '.'));
  return Number.isFinite(n) && n >= min && n <= max ? n : undefined;
}

export function adminRoutes(deps: WebDeps) {
  const { services } = deps;
  const app = new Hono();

  app.get(paths.admin, async (c) => {
    const ctx = signedIn(c);
    assertAllowed(ctx.actor, 'hamlet.manage');
    const p = pageContext(c);
    const m = p.m;
    const commune = await communeOf(services, ctx);
    const s = commune.settings;
    return sendPage(
      c,
      <Layout p={p} title={m.adminTitle}>
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
            <dd>{commune.timeZone}</dd>
            <dt>{m.quietHours}</dt>
            <dd>{`${s.quietHours.start}–${s.quietHours.end}`}</dd>
            <dt>{m.approvalRequired}</dt>
            <dd>{s.approvalRequired ? m.yes : m.no}</dd>
            <dt>{m.slots}</dt>
            <dd>
              <ul class="list">
                {s.slots.map((slot) => (
                  <li>{`${slot.label}: ${slot.start}–${slot.end}, ${m.maxAirTime(slot.maxAirTimeMin)}`}</li>
                ))}
              </ul>
            </dd>
            <dt>{m.audioTarget}</dt>
            <dd>
              {`${formatNumber(s.audio.integratedLufs, p.lang)} LUFS, ${m.truePeak} ≤ ${formatNumber(s.audio.truePeakDbtp, p.lang)} dBTP, LRA ≤ ${formatNumber(s.audio.maxLraLu, p.lang)} LU`}
            </dd>
            <dt>{m.emergencyRepeat}</dt>
            <dd>{m.repeatDefault(s.emergency.repeatCount, s.emergency.repeatIntervalMin)}</dd>
            <dt>{m.languages}</dt>
            <dd>{s.languages.map((l) => `${l.name} (${l.code})`).join(', ')}</dd>
          </dl>
          <p class="hint">{m.settingsHint}</p>
        </Section>
      </Layout>,
    );
  });

  async function renderHamlets(c: Context, values: FormValues = {}, problem?: FormProblem) {
    const ctx = signedIn(c);
    assertAllowed(ctx.actor, 'hamlet.manage');
    const p = pageContext(c);
    const m = p.m;
    const commune = await communeOf(services, ctx);
    const hamlets = await hamletsOf(services, ctx);
    return sendPage(
      c,
      <Layout p={p} title={m.hamletsTitle} notice={notices(m)[c.req.query('tb') ?? '']}>
        <section aria-label={m.hamletsTitle}>
          <div class="table-wrap">
            <table class="stack">
              <thead>
                <tr>
                  <th scope="col">{m.name}</th>
                  <th scope="col">{m.code}</th>
                  <th scope="col">{m.languages}</th>
                </tr>
              </thead>
              <tbody>
                {hamlets.map((h) => (
                  <tr>
                    <th scope="row">
                      {h.name} {h.isExample ? <Badge tone="muted">{m.example}</Badge> : null}
                    </th>
                    <td data-label={m.code}>{h.id}</td>
                    <td data-label={m.languages}>
                      {h.languages.map((l) => languageName(commune, l)).join(', ')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        <Section title={m.addHamlet} id="add">
          <form method="post" action={paths.hamlets} novalidate>
            <Csrf p={p} />
            <FormError message={problem?.general} />
            <TextField
              name="name"
              label={m.name}
              value={one(values, 'name')}
              required
              maxlength={200}
              error={problem?.fields.name}
            />
            <Choices
              type="checkbox"
              name="languages"
              label={m.languages}
              options={commune.settings.languages.map((l) => [l.code, l.name] as const)}
              checked={problem ? many(values, 'languages') : ['vi']}
              error={problem?.fields.languages}
            />
            <div class="two">
              <TextField
                name="lat"
                label={m.latitude}
                value={one(values, 'lat')}
                inputmode="decimal"
                error={problem?.fields.lat}
              />
              <TextField
                name="lon"
                label={m.longitude}
                value={one(values, 'lon')}
                inputmode="decimal"
                error={problem?.fields.lon}
              />
            </div>
            <button type="submit">{m.addHamlet}</button>
          </form>
        </Section>
      </Layout>,
      problem?.status ?? 200,
    );
  }

  app.get(paths.hamlets, (c) => renderHamlets(c));

  app.post(paths.hamlets, async (c) => {
    const ctx = signedIn(c);
    assertAllowed(ctx.actor, 'hamlet.manage');
    const p = pageContext(c);
    const form = await readForm(c);
    const name = one(form, 'name').normalize('NFC').trim();
    const languages = many(form, 'languages');
    const lat = coordinate(one(form, 'lat'), -90, 90);
    const lon = coordinate(one(form, 'lon'), -180, 180);
    const fields: Record<string, string> = {};
    if (!name) fields.name = p.m.required;
    else if (name.length > 200) fields.name = p.m.tooLong(200);
    if (languages.length === 0) fields.languages = p.m.chooseLanguage;
    if (lat === undefined) fields.lat = p.m.numberRule(-90, 90);
    if (lon === undefined) fields.lon = p.m.numberRule(-180, 180);
    if (Object.keys(fields).length > 0)
      return renderHamlets(c, form, { general: p.m.fixBelow, fields, status: 400 });
    try {
      await services.hamlets.create(ctx, { name, languages, lat: lat ?? null, lon: lon ?? null });
    } catch (error) {
      return renderHamlets(c, form, problemOf(error, p.lang));
    }
    return seeOther(c, paths.hamlets, 'saved');
  });

  return app;
}
