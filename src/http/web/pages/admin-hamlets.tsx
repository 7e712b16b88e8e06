import { Hono, type Context } from 'hono';
import type { Commune } from '../../../domain/commune.js';
import { HamletInputSchema, type Hamlet as HamletRow, type HamletValues } from '../../../domain/hamlet.js';
import { gate } from '../../middleware/gate.js';
import { communeOf, hamletsOf, languageName } from '../commune.js';
import type { WebDeps } from '../deps.js';
import { one, problemOf, readForm, type FormProblem, type FormValues } from '../forms.js';
import type { Lang } from '../i18n.js';
import { checkInput, decimal } from '../input.js';
import { pageContext, seeOther, sendPage, signedIn, type PageContext } from '../page.js';
import { paths } from '../paths.js';
import { Badge, Layout, Section, notices, Table } from '../ui.js';
import { Choices, Csrf, FieldGroup, FormError, SelectField, TextField } from '../form-fields.js';

/** An optional coordinate as typed: empty is null; the schema checks the number and its range. */
const coordinate = (value: string): number | null => (value.trim() ? decimal(value) : null);

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
 * The hamlet the form asks for, checked with the use case's own schema, or the message next to each
 * field. Only the order of the languages is the form's own: it turns the chosen positions into a list.
 */
function readHamlet(
  form: FormValues,
  commune: Commune,
  p: PageContext,
): { readonly hamlet: HamletValues } | { readonly problem: FormProblem } {
  const m = p.m;
  const count = commune.settings.languages.length;
  const chosen = commune.settings.languages
    .map((l) => ({ code: l.code, at: one(form, orderField(l.code)) }))
    .filter((x) => x.at !== '');
  const positions = chosen.map((x) => Number(x.at));
  const order =
    chosen.length === 0
      ? m.chooseLanguage
      : positions.some((n) => !Number.isInteger(n) || n < 1 || n > count)
        ? m.invalidValue
        : new Set(positions).size !== positions.length
          ? m.orderTaken
          : undefined;
  const input = checkInput(
    HamletInputSchema,
    {
      name: one(form, 'name'),
      languages: [...chosen].sort((x, y) => Number(x.at) - Number(y.at)).map((x) => x.code),
      lat: coordinate(one(form, 'lat')),
      lon: coordinate(one(form, 'lon')),
    },
    p,
    {
      messages: {
        lat: m.numberRule(-90, 90),
        lon: m.numberRule(-180, 180),
        ...(order && { languages: order }),
      },
    },
  );
  if (!input.ok || order) {
    const fields = input.ok ? {} : input.problem.fields;
    return {
      problem: {
        general: m.fixBelow,
        fields: { ...fields, ...(order && { languages: order }) },
        status: 400,
      },
    };
  }
  const { id: _, ...hamlet } = input.value;
  return { hamlet };
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

  // Every route here is for `hamlet.manage` only, checked before any input is read.
  app.use('/quan-tri/thon', gate('hamlet.manage'));
  app.use('/quan-tri/thon/*', gate('hamlet.manage'));

  async function renderList(c: Context, values?: FormValues, problem?: FormProblem) {
    const ctx = signedIn(c);
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
    const ctx = signedIn(c);
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

  /**
   * The confirmation step: what deleting does, and, before anyone presses delete, what would refuse it:
   * the receivers still there and the people who still look after the hamlet, each a link to move them.
   */
  async function renderDelete(c: Context, id: string, problem?: FormProblem) {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const m = p.m;
    const hamlet = await services.hamlets.get(ctx, id);
    const { receivers, users } = await services.hamlets.removalBlockers(ctx, id);
    return sendPage(
      c,
      <Layout p={p} title={m.deleteHamletTitle(hamlet.name)}>
        <p class="warning" role="alert">
          {m.deleteHamletText}
        </p>
        {receivers > 0 ? <p class="warning">{m.deleteHamletReceivers(receivers)}</p> : null}
        {users.length > 0 ? (
          <div class="warning" id="scoped-users">
            {m.deleteHamletUsers(users.length)}
            <ul>
              {users.map((u) => (
                <li>
                  <a href={paths.user(u.id)}>{u.displayName}</a> ({u.username}
                  {u.disabled ? `, ${m.scopedUserDisabled}` : ''})
                </li>
              ))}
            </ul>
          </div>
        ) : null}
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
    const ctx = signedIn(c);
    const p = pageContext(c);
    const form = await readForm(c);
    const read = readHamlet(form, await communeOf(services, ctx), p);
    if ('problem' in read) return renderList(c, form, read.problem);
    try {
      await services.hamlets.create(ctx, read.hamlet);
    } catch (error) {
      return renderList(c, form, problemOf(error, p.lang));
    }
    return seeOther(c, paths.hamlets, 'saved');
  });

  app.get('/quan-tri/thon/:id', (c) => renderEdit(c, c.req.param('id')));

  app.post('/quan-tri/thon/:id', async (c) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const id = c.req.param('id');
    const form = await readForm(c);
    const read = readHamlet(form, await communeOf(services, ctx), p);
    if ('problem' in read) return renderEdit(c, id, form, read.problem);
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
    const ctx = signedIn(c);
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
