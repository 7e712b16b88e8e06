import { Hono, type Context } from 'hono';
import type { Hamlet as HamletRow, HamletValues } from '../../../domain/hamlet.js';
import type { Commune } from '../../../domain/commune.js';
import { assertAllowed } from '../../../domain/policy.js';
import { communeOf, hamletsOf, languageName } from '../commune.js';
import type { WebDeps } from '../deps.js';
import { one, problemOf, readForm, type FormProblem, type FormValues } from '../forms.js';
import type { Lang, Messages } from '../i18n.js';
import { pageContext, seeOther, sendPage, signedIn, type PageContext } from '../page.js';
import { paths } from '../paths.js';
import {
  Badge,
  Choices,
  Csrf,
  FieldGroup,
  FormError,
  Layout,
  Section,
  SelectField,
  TextField,
  notices,
  Table,
} from '../ui.js';

/** An optional coordinate: empty is null, anything else must be a number within its range. */
function coordinate(value: string, min: number, max: number): number | null | undefined {
  if (!value.trim()) return null;
  const n = Number(value.replace(',', '.'));
  return Number.isFinite(n) && n >= min && n <= max ? n : undefined;
}

const shownCoordinate = (n: number | null, lang: Lang) =>
  n === null ? '' : lang === 'vi' ? String(n).replace('.', ',') : String(n);

// One select per language of the commune: its position in the hamlet's order, or empty for "not used".
// Without JavaScript a person cannot drag items, but can pick a number on a phone.
const orderField = (code: string) => `order-${code}`;

/** The form's values for a stored hamlet, or the defaults of a new one (Vietnamese only). */
function hamletValues(h: HamletRow | undefined, lang: Lang): FormValues {
  if (!h) return { [orderField('vi')]: '1' };
  return {
    name: h.name,
    lat: shownCoordinate(h.lat, lang),
    lon: shownCoordinate(h.lon, lang),
    ...Object.fromEntries(h.languages.map((code, i) => [orderField(code), String(i + 1)])),
  };
}

/**
 * The hamlet the form asks for, or the message next to each field. The service checks the language codes
 * against the commune again; this only turns the positions into an ordered list.
 */
function readHamlet(
  form: FormValues,
  commune: Commune,
  m: Messages,
): { readonly hamlet: HamletValues } | { readonly fields: Record<string, string> } {
  const fields: Record<string, string> = {};
  const name = one(form, 'name').normalize('NFC').trim();
  if (!name) fields.name = m.required;
  else if (name.length > 200) fields.name = m.tooLong(200);
  const count = commune.settings.languages.length;
  const chosen = commune.settings.languages
    .map((l) => ({ code: l.code, at: one(form, orderField(l.code)) }))
    .filter((x) => x.at !== '');
  const positions = chosen.map((x) => Number(x.at));
  if (chosen.length === 0) fields.languages = m.chooseLanguage;
  else if (positions.some((n) => !Number.isInteger(n) || n < 1 || n > count))
    fields.languages = m.invalidValue;
  else if (new Set(positions).size !== positions.length) fields.languages = m.orderTaken;
  const lat = coordinate(one(form, 'lat'), -90, 90);
  const lon = coordinate(one(form, 'lon'), -180, 180);
  if (lat === undefined) fields.lat = m.numberRule(-90, 90);
  if (lon === undefined) fields.lon = m.numberRule(-180, 180);
  if (Object.keys(fields).length > 0) return { fields };
  const languages = [...chosen].sort((x, y) => Number(x.at) - Number(y.at)).map((x) => x.code);
  return { hamlet: { name, languages, lat: lat ?? null, lon: lon ?? null } };
}

/** Name, language order and position: the same controls to add a hamlet and to edit one. */
function HamletFields({
  p,
  commune,
  values,
  problem,
}: {
  p: PageContext;
  commune: Commune;
  values: FormValues;
  problem?: FormProblem | undefined;
}) {
  const m = p.m;
  const e = problem?.fields ?? {};
  const positions = commune.settings.languages.map((_, i) => [String(i + 1), String(i + 1)] as const);
  return (
    <>
      <Csrf p={p} />
      <FormError message={problem?.general} />
      <TextField
        name="name"
        label={m.name}
        value={one(values, 'name')}
        required
        maxlength={200}
        error={e.name}
      />
      <FieldGroup name="languages" label={m.languageOrder} hint={m.languageOrderHint} error={e.languages}>
        <div class="two">
          {commune.settings.languages.map((l) => (
            <SelectField
              name={orderField(l.code)}
              label={l.name}
              value={one(values, orderField(l.code))}
              options={[['', m.notUsed] as const, ...positions]}
            />
          ))}
        </div>
      </FieldGroup>
      <div class="two">
        <TextField
          name="lat"
          label={m.latitude}
          value={one(values, 'lat')}
          inputmode="decimal"
          error={e.lat}
        />
        <TextField
          name="lon"
          label={m.longitude}
          value={one(values, 'lon')}
          inputmode="decimal"
          error={e.lon}
        />
      </div>
    </>
  );
}

/** Hamlets for the admin: the list, adding one, editing one and deleting one after a confirmation. */
export function adminHamletRoutes(deps: WebDeps) {
  const { services } = deps;
  const app = new Hono();

  /** The signed-in admin; every route here is for `hamlet.manage` only, checked before any input is read. */
  function manager(c: Context) {
    const ctx = signedIn(c);
    assertAllowed(ctx.actor, 'hamlet.manage');
    return ctx;
  }

  async function renderList(c: Context, values?: FormValues, problem?: FormProblem) {
    const ctx = manager(c);
    const p = pageContext(c);
    const m = p.m;
    const commune = await communeOf(services, ctx);
    const hamlets = await hamletsOf(services, ctx);
    return sendPage(
      c,
      <Layout p={p} title={m.hamletsTitle} notice={notices(m)[c.req.query('tb') ?? '']}>
        <section aria-label={m.hamletsTitle}>
          <Table headings={[m.name, m.code, m.languages]}>
            {hamlets.map((h) => (
              <tr>
                <th scope="row">
                  <a href={paths.hamlet(h.id)} aria-label={`${m.edit}: ${h.name}`}>
                    {h.name}
                  </a>{' '}
                  {h.isExample ? <Badge tone="muted">{m.example}</Badge> : null}
                </th>
                <td data-label={m.code}>{h.id}</td>
                <td data-label={m.languages}>
                  {h.languages.map((l) => languageName(commune, l)).join(', ')}
                </td>
              </tr>
            ))}
          </Table>
        </section>
        <Section title={m.addHamlet} id="add">
          <form method="post" action={paths.hamlets} novalidate>
            <HamletFields
              p={p}
              commune={commune}
              values={values ?? hamletValues(undefined, p.lang)}
              problem={problem}
            />
            <button type="submit">{m.addHamlet}</button>
          </form>
        </Section>
      </Layout>,
      problem?.status ?? 200,
    );
  }

  async function renderEdit(c: Context, id: string, values?: FormValues, problem?: FormProblem) {
    const ctx = manager(c);
    const p = pageContext(c);
    const m = p.m;
    const hamlet = await services.hamlets.get(ctx, id);
    const commune = await communeOf(services, ctx);
    return sendPage(
      c,
      <Layout p={p} title={`${m.edit}: ${hamlet.name}`}>
        <section aria-label={hamlet.name}>
          <form method="post" action={paths.hamlet(hamlet.id)} novalidate>
            <HamletFields
              p={p}
              commune={commune}
              values={values ?? hamletValues(hamlet, p.lang)}
              problem={problem}
            />
            <div class="actions">
              <button type="submit">{m.save}</button>
              <a class="button secondary" href={paths.hamlets}>
                {m.backToList}
              </a>
            </div>
          </form>
        </section>
        <Section title={m.deleteHamlet} id="delete">
          <p class="hint">{m.deleteHamletHint}</p>
          <a class="button danger" href={paths.deleteHamlet(hamlet.id)}>
            {m.deleteHamlet}
          </a>
        </Section>
      </Layout>,
      problem?.status ?? 200,
    );
  }

  /** The confirmation step: what deleting does, how many receivers it leaves without a schedule. */
  async function renderDelete(c: Context, id: string, problem?: FormProblem) {
    const ctx = manager(c);
    const p = pageContext(c);
    const m = p.m;
    const hamlet = await services.hamlets.get(ctx, id);
    const receivers = (await services.receivers.list(ctx, { hamletId: id, limit: 200 })).items;
    return sendPage(
      c,
      <Layout p={p} title={m.deleteHamletTitle(hamlet.name)}>
        <p class="warning" role="alert">
          {m.deleteHamletText}
        </p>
        {receivers.length > 0 ? <p class="warning">{m.deleteHamletReceivers(receivers.length)}</p> : null}
        <section aria-label={m.deleteHamletTitle(hamlet.name)}>
          <form method="post" action={paths.deleteHamlet(hamlet.id)} novalidate>
            <Csrf p={p} />
            <FormError message={problem?.general} />
            <Choices
              type="checkbox"
              name="confirm"
              label={m.confirmation}
              options={[['yes', m.confirmDelete]]}
              checked={[]}
              error={problem?.fields.confirm}
            />
            <div class="actions">
              <button type="submit" class="danger">
                {m.deleteHamlet}
              </button>
              <a class="button secondary" href={paths.hamlet(hamlet.id)}>
                {m.back}
              </a>
            </div>
          </form>
        </section>
      </Layout>,
      problem?.status ?? 200,
    );
  }

  app.get(paths.hamlets, (c) => renderList(c));

  app.post(paths.hamlets, async (c) => {
    const ctx = manager(c);
    const p = pageContext(c);
    const form = await readForm(c);
    const read = readHamlet(form, await communeOf(services, ctx), p.m);
    if ('fields' in read)
      return renderList(c, form, { general: p.m.fixBelow, fields: read.fields, status: 400 });
    try {
      await services.hamlets.create(ctx, read.hamlet);
    } catch (error) {
      return renderList(c, form, problemOf(error, p.lang));
    }
    return seeOther(c, paths.hamlets, 'saved');
  });

  app.get('/quan-tri/thon/:id', (c) => renderEdit(c, c.req.param('id')));

  app.post('/quan-tri/thon/:id', async (c) => {
    const ctx = manager(c);
    const p = pageContext(c);
    const id = c.req.param('id');
    const form = await readForm(c);
    const read = readHamlet(form, await communeOf(services, ctx), p.m);
    if ('fields' in read)
      return renderEdit(c, id, form, { general: p.m.fixBelow, fields: read.fields, status: 400 });
    try {
      await services.hamlets.update(ctx, id, read.hamlet);
    } catch (error) {
      return renderEdit(c, id, form, problemOf(error, p.lang));
    }
    return seeOther(c, paths.hamlets, 'saved');
  });

  app.get('/quan-tri/thon/:id/xoa', (c) => renderDelete(c, c.req.param('id')));

  // Only with the box ticked: a stray tap on the button deletes nothing, JavaScript or not.
  app.post('/quan-tri/thon/:id/xoa', async (c) => {
    const ctx = manager(c);
    const p = pageContext(c);
    const id = c.req.param('id');
    const form = await readForm(c);
    if (one(form, 'confirm') !== 'yes')
      return renderDelete(c, id, {
        general: p.m.mustConfirm,
        fields: { confirm: p.m.mustConfirm },
        status: 400,
      });
    try {
      await services.hamlets.remove(ctx, id);
    } catch (error) {
      // A hamlet that is gone already cannot show its confirmation again: its 404 becomes the error page.
      return renderDelete(c, id, problemOf(error, p.lang));
    }
    return seeOther(c, paths.hamlets, 'deletedHamlet');
  });

  return app;
}
