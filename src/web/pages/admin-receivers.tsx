import { Hono, type Context } from 'hono';
import { assertAllowed } from '../../domain/policy.js';
import { formatLocalEn, formatLocalVi } from '../../domain/schedule/index.js';
import type { ReceiverView } from '../../services/receivers.service.js';
import { communeOf, hamletsOf } from '../commune.js';
import type { WebDeps } from '../deps.js';
import { one, problemOf, readForm, type FormProblem, type FormValues } from '../forms.js';
import { pageContext, sendPage, signedIn } from '../page.js';
import { paths } from '../paths.js';
import { encodeQr, qrPath } from '../qr.js';
import { Badge, Csrf, FormError, Layout, Section, SelectField, TextField, Table } from '../ui.js';

/**
 * What the installer scans into the controller box: the server's address, the receiver's id and its
 * token, as URL parameters so that any QR app shows them readably.
 */
export function receiverQrText(origin: string, receiverId: string, token: string): string {
  const q = new URLSearchParams({ server: origin, id: receiverId, token });
  return `loa-receiver:?${q.toString()}`;
}

export function adminReceiverRoutes(deps: WebDeps) {
  const { services } = deps;
  const app = new Hono();

  async function renderList(c: Context, values: FormValues = {}, problem?: FormProblem) {
    const ctx = signedIn(c);
    assertAllowed(ctx.actor, 'receiver.manage');
    const p = pageContext(c);
    const m = p.m;
    const commune = await communeOf(services, ctx);
    const hamlets = await hamletsOf(services, ctx);
    const names = new Map(hamlets.map((h) => [h.id, h.name]));
    const receivers: readonly ReceiverView[] = (await services.receivers.list(ctx, { limit: 200 })).items;
    const at = (iso: string) =>
      (p.lang === 'vi' ? formatLocalVi : formatLocalEn)(Date.parse(iso), commune.timeZone);
    return sendPage(
      c,
      <Layout p={p} title={m.receiversTitle}>
        <section aria-label={m.receiversTitle}>
          <Table headings={[m.name, m.state, m.lastSeen, m.actions]}>
            {receivers.map((r) => (
              <tr>
                <th scope="row">
                  {r.name}
                  <br />
                  <span class="meta">{names.get(r.hamletId) ?? r.hamletId}</span>
                </th>
                <td>
                  {r.disabledAt ? (
                    <Badge tone="muted">{m.disabled}</Badge>
                  ) : r.health.online ? (
                    <Badge tone="ok">{m.online}</Badge>
                  ) : (
                    <Badge tone="bad">{m.offline}</Badge>
                  )}
                </td>
                <td data-label={m.lastSeen}>{r.lastSeenAt ? at(r.lastSeenAt) : m.never}</td>
                <td>
                  <form method="post" action={paths.rotate(r.id)} class="inline">
                    <Csrf p={p} />
                    <button type="submit" class="secondary" aria-label={`${m.rotate}: ${r.name}`}>
                      {m.rotate}
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </Table>
        </section>
        <Section title={m.addReceiver} id="add">
          <form method="post" action={paths.receivers} novalidate>
            <Csrf p={p} />
            <FormError message={problem?.general} />
            <SelectField
              name="hamletId"
              label={m.hamlet}
              value={one(values, 'hamletId')}
              options={hamlets.map((h) => [h.id, h.name] as const)}
              error={problem?.fields.hamletId}
            />
            <TextField
              name="name"
              label={m.name}
              value={one(values, 'name')}
              required
              maxlength={200}
              error={problem?.fields.name}
            />
            <button type="submit">{m.addReceiver}</button>
          </form>
        </Section>
      </Layout>,
      problem?.status ?? 200,
    );
  }

  /** The one page that shows a device token; it must not be cached anywhere. */
  function renderToken(c: Context, receiver: ReceiverView, token: string, notice?: string) {
    const p = pageContext(c);
    const m = p.m;
    const text = receiverQrText(new URL(c.req.url).origin, receiver.id, token);
    const qr = qrPath(encodeQr(text));
    return sendPage(
      c,
      <Layout p={p} title={`${m.tokenTitle}: ${receiver.name}`} notice={notice}>
        <p class="warning" role="alert">
          {m.tokenOnce}
        </p>
        <svg class="qr" viewBox={qr.viewBox} role="img" aria-label={m.qrLabel} shape-rendering="crispEdges">
          <rect width="100%" height="100%" fill="#fff" />
          <path d={qr.d} fill="#000" />
        </svg>
        <p>
          <code class="token" data-token>
            {token}
          </code>
        </p>
        <p>
          <a class="button secondary" href={paths.receivers}>
            {m.backToList}
          </a>
        </p>
      </Layout>,
    );
  }

  app.get(paths.receivers, (c) => renderList(c));

  app.post(paths.receivers, async (c) => {
    const ctx = signedIn(c);
    assertAllowed(ctx.actor, 'receiver.manage');
    const p = pageContext(c);
    const form = await readForm(c);
    const name = one(form, 'name').normalize('NFC').trim();
    const fields: Record<string, string> = {};
    if (!name) fields.name = p.m.required;
    else if (name.length > 200) fields.name = p.m.tooLong(200);
    if (!one(form, 'hamletId')) fields.hamletId = p.m.required;
    if (Object.keys(fields).length > 0)
      return renderList(c, form, { general: p.m.fixBelow, fields, status: 400 });
    try {
      const { receiver, token } = await services.receivers.create(ctx, {
        hamletId: one(form, 'hamletId'),
        name,
      });
      return renderToken(c, receiver, token, pageContext(c).m.createdReceiver);
    } catch (error) {
      return renderList(c, form, problemOf(error, p.lang));
    }
  });

  app.post('/quan-tri/cum-loa/:id/doi-ma', async (c) => {
    const ctx = signedIn(c);
    const { receiver, token } = await services.receivers.rotateToken(ctx, c.req.param('id'));
    return renderToken(c, receiver, token);
  });

  return app;
}
