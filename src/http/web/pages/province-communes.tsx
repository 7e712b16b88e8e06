import { Hono, type Context } from 'hono';
import { roleAllows } from '../../../domain/policy.js';
import { CommuneInputSchema } from '../../../domain/province.js';
import type { CreatedCommune } from '../../../services/communes.service.js';
import { requestOrigin } from '../../forwarded.js';
import { gate } from '../../middleware/gate.js';
import { setCommuneCookie } from '../../session-cookies.js';
import type { WebDeps } from '../deps.js';
import { one, problemOf, readForm, type FormProblem, type FormValues } from '../forms.js';
import { checkInput } from '../input.js';
import { pageContext, seeOther, sendPage, signedIn } from '../page.js';
import { paths, safeNext } from '../paths.js';
import { tenancyMessages } from '../tenancy-messages.js';
import { Badge, Layout, Section, Table } from '../ui.js';
import { Csrf, FormError, PostButton, TextField } from '../form-fields.js';
import { ConfirmedPost } from '../confirmed-post.js';

/** Pages that show a whole commune, where the switcher may bring a province user back after switching. */
const communePages: ReadonlySet<string> = new Set([
  paths.mine,
  paths.schedule,
  paths.monitor,
  paths.coverage,
  paths.receivers,
  paths.admin,
  paths.hamlets,
  paths.users,
  paths.province,
  paths.provinceReport,
]);

/** The form's controls for the fields of `CommuneInputSchema` and of the service's refusals. */
const controlOf = (path: readonly PropertyKey[]) =>
  path[0] === 'admin' ? (path[1] === 'displayName' ? 'adminName' : 'adminUsername') : String(path[0]);

/**
 * The province's communes as tenants: `/tinh`, the home page of province staff (every commune with its
 * receivers online, a button to look at it, and for the province admin a deletion behind a confirmation),
 * the commune switcher's post, and `/tinh/xa/moi`, where the province admin creates a commune with its
 * first admin, whose password the answer shows once.
 */
export function provinceCommuneRoutes(deps: WebDeps) {
  const { services } = deps;
  const app = new Hono();

  async function renderHome(c: Context, opts: { problem?: FormProblem } = {}) {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const tm = tenancyMessages[p.lang];
    const communes = await services.communes.overview(ctx);
    const manage = roleAllows(ctx.actor.role, 'province.manage');
    const notice = c.req.query('tb') === 'deleted' ? tm.deleted : undefined;
    return sendPage(
      c,
      <Layout p={p} title={tm.communesTitle} notice={notice}>
        <FormError message={opts.problem?.general} />
        <p class="meta">{tm.communesIntro}</p>
        {manage ? (
          <p>
            <a class="button" href={paths.newCommune}>
              {tm.newCommune}
            </a>
          </p>
        ) : null}
        <Section title={tm.communesTitle} id="communes">
          {communes.length === 0 ? (
            <p class="meta">{tm.noCommunes}</p>
          ) : (
            <Table headings={[tm.commune, tm.code, tm.receiversOnline, p.m.actions]}>
              {communes.map(({ commune, receivers }) => (
                <tr data-commune={commune.id}>
                  <th scope="row">{commune.name}</th>
                  <td data-label={tm.code}>{commune.code}</td>
                  <td data-label={tm.receiversOnline}>
                    {tm.receiversOnlineOf(receivers.online, receivers.total)}
                  </td>
                  <td data-label={p.m.actions}>
                    <div class="actions">
                      {commune.id === ctx.actor.communeId ? (
                        <Badge tone="info">{tm.viewing}</Badge>
                      ) : (
                        <PostButton
                          p={p}
                          action={paths.switchCommune}
                          label={tm.view}
                          target={commune.name}
                          fields={{ xa: commune.id, next: paths.receivers }}
                        />
                      )}
                      {manage ? (
                        <ConfirmedPost
                          p={p}
                          action={paths.deleteCommune(commune.id)}
                          subject={commune.name}
                          open={tm.delete}
                          question={tm.deleteQuestion(commune.name)}
                          confirm={tm.confirmDelete}
                        />
                      ) : null}
                    </div>
                  </td>
                </tr>
              ))}
            </Table>
          )}
        </Section>
      </Layout>,
      opts.problem?.status ?? 200,
    );
  }

  app.get(paths.province, gate('province.read'), (c) => renderHome(c));

  app.post('/tinh/xa/:id/xoa', gate('province.manage'), async (c) => {
    try {
      await services.communes.remove(signedIn(c), c.req.param('id'));
    } catch (error) {
      const problem = problemOf(error, pageContext(c).lang);
      // Not found stays the 404 page; a refusal (the province staff's own commune) is shown on the list.
      if (problem.status === 404) throw error;
      return renderHome(c, { problem });
    }
    return seeOther(c, paths.province, 'deleted');
  });

  // The switcher: only a commune of the user's province is kept (the service answers 404 otherwise).
  app.post(paths.switchCommune, gate('province.read'), async (c) => {
    const ctx = signedIn(c);
    const form = await readForm(c);
    const commune = await services.communes.inProvince(ctx, one(form, 'xa'));
    setCommuneCookie(c, commune.id);
    const next = safeNext(one(form, 'next'), requestOrigin(c));
    const back = next !== undefined && communePages.has(next) ? next : paths.province;
    // The switcher on the next page shows which commune it is; no notice that a link could forge.
    return seeOther(c, back);
  });

  async function renderNew(
    c: Context,
    opts: { values?: FormValues; problem?: FormProblem; created?: CreatedCommune } = {},
  ) {
    signedIn(c);
    const p = pageContext(c);
    const tm = tenancyMessages[p.lang];
    const v = opts.values ?? {};
    const fields = opts.problem?.fields ?? {};
    const first = ['name', 'code', 'adminUsername', 'adminName'].find((f) => fields[f]);
    const created = opts.created;
    return sendPage(
      c,
      <Layout
        p={p}
        title={tm.newCommuneTitle}
        notice={created ? tm.created(created.commune.name) : undefined}
      >
        {created ? (
          <section aria-labelledby="created-h" id="created">
            <h2 id="created-h">{created.commune.name}</h2>
            {created.admin ? (
              <>
                <p class="warning" role="alert">
                  {tm.passwordOnce}
                </p>
                <dl>
                  <dt>{tm.username}</dt>
                  <dd>
                    <code data-admin-username>{created.admin.username}</code>
                  </dd>
                  <dt>{tm.password}</dt>
                  <dd>
                    <code class="token" data-admin-password>
                      {created.admin.password}
                    </code>
                  </dd>
                </dl>
              </>
            ) : null}
            <p>
              <a href={paths.province}>{tm.backToCommunes}</a>
            </p>
          </section>
        ) : (
          <>
            <p class="meta">{tm.newCommuneIntro}</p>
            <form method="post" action={paths.newCommune} novalidate>
              <Csrf p={p} />
              <FormError message={opts.problem?.general} />
              <TextField
                name="name"
                label={tm.name}
                hint={tm.nameHint}
                value={one(v, 'name')}
                required
                maxlength={200}
                error={fields.name}
                autofocus={first === 'name'}
              />
              <TextField
                name="code"
                label={tm.code}
                hint={tm.codeHint}
                value={one(v, 'code')}
                required
                inputmode="numeric"
                maxlength={5}
                error={fields.code}
                autofocus={first === 'code'}
              />
              <TextField
                name="adminUsername"
                label={tm.adminUsername}
                hint={tm.adminUsernameHint}
                value={one(v, 'adminUsername')}
                autocomplete="off"
                maxlength={64}
                error={fields.adminUsername}
                autofocus={first === 'adminUsername'}
              />
              <TextField
                name="adminName"
                label={tm.adminName}
                value={one(v, 'adminName')}
                maxlength={200}
                error={fields.adminName}
                autofocus={first === 'adminName'}
              />
              <button type="submit">{tm.create}</button>
            </form>
          </>
        )}
      </Layout>,
      opts.problem?.status ?? 200,
    );
  }

  app.get(paths.newCommune, gate('province.manage'), (c) => renderNew(c));

  app.post(paths.newCommune, gate('province.manage'), async (c) => {
    const p = pageContext(c);
    const tm = tenancyMessages[p.lang];
    const form = await readForm(c);
    const username = one(form, 'adminUsername').trim();
    const displayName = one(form, 'adminName').trim();
    const input = checkInput(
      CommuneInputSchema,
      {
        name: one(form, 'name'),
        code: one(form, 'code').trim(),
        ...(username && { admin: { username, displayName: displayName || username } }),
      },
      p,
      { controlOf },
    );
    if (!input.ok) return renderNew(c, { values: form, problem: input.problem });
    if (username && !displayName) {
      return renderNew(c, {
        values: form,
        problem: { general: p.m.fixBelow, fields: { adminName: tm.adminNameRequired }, status: 400 },
      });
    }
    try {
      // The one answer that shows the password: rendered here, never behind a redirect.
      return renderNew(c, { created: await services.communes.create(signedIn(c), input.value) });
    } catch (error) {
      return renderNew(c, {
        values: form,
        problem: problemOf(error, p.lang, { 'admin.username': 'adminUsername' }),
      });
    }
  });

  return app;
}
