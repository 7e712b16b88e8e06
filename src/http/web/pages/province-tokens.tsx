import { Hono, type Context } from 'hono';
import { ApiTokenInputSchema, type ApiToken } from '../../../domain/api-token.js';
import { formatLocalEn, formatLocalVi } from '../../../domain/schedule/index.js';
import { requestOrigin } from '../../forwarded.js';
import { gate } from '../../middleware/gate.js';
import type { WebDeps } from '../deps.js';
import { one, problemOf, readForm, type FormProblem, type FormValues } from '../forms.js';
import { checkInput } from '../input.js';
import { pageContext, seeOther, sendPage, signedIn, type PageContext } from '../page.js';
import { paths } from '../paths.js';
import { provinceMessages } from '../province-messages.js';
import { Badge, Layout, Section, Table } from '../ui.js';
import { Csrf, FormError, TextField } from '../form-fields.js';
import { ConfirmedPost } from '../confirmed-post.js';

/** A time on the page, on the province admin's home commune clock. */
export const shownAt = (p: PageContext, iso: string, timeZone: string) =>
  (p.lang === 'vi' ? formatLocalVi : formatLocalEn)(Date.parse(iso), timeZone);

/**
 * The province admin's machine tokens (`/tinh/ma-may`): the list with each token's state and last use,
 * a form that creates one and shows it once on the answer page (never cached), and revocation behind a
 * confirmation. The API's service does the work (`/api/v1/province/tokens`).
 */
export function provinceTokenRoutes(deps: WebDeps) {
  const { services } = deps;
  const app = new Hono();
  const manage = gate('province.manage');

  async function render(
    c: Context,
    opts: { values?: FormValues; problem?: FormProblem; created?: { token: ApiToken; secret: string } } = {},
  ) {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const pm = provinceMessages[p.lang];
    const m = p.m;
    const [tokens, commune] = await Promise.all([services.apiTokens.list(ctx), services.communes.get(ctx)]);
    const at = (iso: string) => shownAt(p, iso, commune.timeZone);
    const example = `curl -H "Authorization: Bearer ${opts.created?.secret ?? 'loa_mt_…'}" ${requestOrigin(c)}/api/v1/province/reports/v1/devices`;
    const notice =
      opts.created !== undefined
        ? pm.tokenCreated(opts.created.token.name)
        : c.req.query('tb') === 'revoked'
          ? pm.tokenRevoked
          : undefined;
    return sendPage(
      c,
      <Layout p={p} title={pm.tokensTitle} notice={notice}>
        {opts.created ? (
          <section aria-labelledby="new-token-h" id="new-token">
            <h2 id="new-token-h">{opts.created.token.name}</h2>
            <p class="warning" role="alert">
              {pm.tokenOnce}
            </p>
            <p>
              <code class="token" data-token>
                {opts.created.secret}
              </code>
            </p>
            <p class="hint">{pm.exampleRequest}</p>
            <p>
              <code class="token">{example}</code>
            </p>
          </section>
        ) : null}
        <p class="meta">{pm.tokensIntro}</p>
        <Section title={m.nav.machineTokens} id="tokens">
          {tokens.length === 0 ? (
            <p class="meta">{pm.noTokens}</p>
          ) : (
            <Table headings={[pm.tokenName, m.state, pm.createdAt, pm.lastUsed, m.actions]}>
              {tokens.map((t) => (
                <tr data-token-id={t.id}>
                  <th scope="row">{t.name}</th>
                  <td data-label={m.state}>
                    {t.revokedAt ? (
                      <Badge tone="muted">{`${pm.revoked} · ${at(t.revokedAt)}`}</Badge>
                    ) : (
                      <Badge tone="ok">{pm.live}</Badge>
                    )}
                  </td>
                  <td data-label={pm.createdAt}>{at(t.createdAt)}</td>
                  <td data-label={pm.lastUsed}>{t.lastUsedAt ? at(t.lastUsedAt) : pm.neverUsed}</td>
                  <td data-label={t.revokedAt ? m.actions : undefined}>
                    {t.revokedAt ? (
                      m.none
                    ) : (
                      <ConfirmedPost
                        p={p}
                        action={paths.revokeToken(t.id)}
                        subject={t.name}
                        open={pm.revoke}
                        question={pm.revokeQuestion}
                        confirm={pm.confirmRevoke}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </Table>
          )}
        </Section>
        <Section title={pm.createToken} id="add">
          <form method="post" action={paths.machineTokens} novalidate>
            <Csrf p={p} />
            <FormError message={opts.problem?.general} />
            <TextField
              name="name"
              label={pm.tokenName}
              hint={pm.tokenNameHint}
              value={one(opts.values ?? {}, 'name')}
              required
              maxlength={100}
              error={opts.problem?.fields.name}
              autofocus={!!opts.problem?.fields.name}
            />
            <button type="submit">{pm.createToken}</button>
          </form>
        </Section>
      </Layout>,
      opts.problem?.status ?? 200,
    );
  }

  app.get(paths.machineTokens, manage, (c) => render(c));

  app.post(paths.machineTokens, manage, async (c) => {
    const p = pageContext(c);
    const form = await readForm(c);
    const input = checkInput(ApiTokenInputSchema, { name: one(form, 'name') }, p);
    if (!input.ok) return render(c, { values: form, problem: input.problem });
    try {
      // The one answer that shows the token: rendered here, never behind a redirect.
      return render(c, { created: await services.apiTokens.create(signedIn(c), input.value) });
    } catch (error) {
      return render(c, { values: form, problem: problemOf(error, p.lang) });
    }
  });

  app.post('/tinh/ma-may/:id/thu-hoi', manage, async (c) => {
    await services.apiTokens.revoke(signedIn(c), c.req.param('id'));
    return seeOther(c, paths.machineTokens, 'revoked');
  });

  return app;
}
