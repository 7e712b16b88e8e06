import { Hono, type Context } from 'hono';
import {
  WEBHOOK_EVENT_TYPES,
  WebhookEndpointInputSchema,
  type WebhookDelivery,
  type WebhookEndpoint,
} from '../../../domain/webhook.js';
import { gate } from '../../middleware/gate.js';
import type { WebDeps } from '../deps.js';
import { many, one, problemOf, readForm, type FormProblem, type FormValues } from '../forms.js';
import { checkInput } from '../input.js';
import { pageContext, seeOther, sendPage, signedIn, type PageContext } from '../page.js';
import { paths } from '../paths.js';
import { provinceMessages, type ProvinceMessages } from '../province-messages.js';
import { Badge, Layout, Section, Table } from '../ui.js';
import { Choices, Csrf, FormError, TextField } from '../form-fields.js';
import { ConfirmedPost } from '../confirmed-post.js';
import { shownAt } from './province-tokens.js';

const deliveryTone = { delivered: 'ok', pending: 'warn', failed: 'bad' } as const;

function EndpointState({ pm, endpoint }: { pm: ProvinceMessages; endpoint: WebhookEndpoint }) {
  return endpoint.disabledAt ? (
    <Badge tone="muted">{pm.disabled}</Badge>
  ) : (
    <Badge tone="ok">{pm.enabled}</Badge>
  );
}

/** One delivery and every attempt of it: when, the answer's status code, how long, what went wrong. */
function DeliveryRow({
  p,
  pm,
  d,
  at,
}: {
  p: PageContext;
  pm: ProvinceMessages;
  d: WebhookDelivery;
  at: (iso: string) => string;
}) {
  return (
    <tr data-delivery={d.id} data-status={d.status}>
      <th scope="row">
        {pm.eventNames[d.type] ?? d.type}
        <br />
        <span class="meta">{at(d.createdAt)}</span>
        <span class="hash">{d.eventId}</span>
      </th>
      <td data-label={pm.status}>
        <Badge tone={deliveryTone[d.status]}>{pm[d.status]}</Badge>
        {d.nextAttemptAt ? <p class="meta">{pm.nextAttempt(at(d.nextAttemptAt))}</p> : null}
      </td>
      <td data-label={pm.deliveries}>
        <ol class="list">
          {d.attemptLog.map((a) => (
            <li data-attempt={a.attempt}>
              {`${pm.attempt} ${a.attempt} · ${at(a.startedAt)} · `}
              {a.finishedAt === null ? (
                <Badge tone="warn">{pm.noResult}</Badge>
              ) : (
                <>
                  <strong>{a.statusCode === null ? p.m.none : `HTTP ${a.statusCode}`}</strong>
                  {` · ${a.durationMs ?? 0} ms`}
                  {a.error ? <span class="meta">{` · ${a.error}`}</span> : null}
                </>
              )}
            </li>
          ))}
        </ol>
      </td>
    </tr>
  );
}

/**
 * The province admin's webhook endpoints (`/tinh/webhook`): the list with each one's open deliveries, a
 * form that registers one and shows its signing secret once, disabling behind a confirmation, and each
 * endpoint's deliveries with every attempt (`/tinh/webhook/{id}`). The API's service does the work.
 */
export function provinceWebhookRoutes(deps: WebDeps) {
  const { services } = deps;
  const app = new Hono();
  const manage = gate('province.manage');

  async function render(
    c: Context,
    opts: {
      values?: FormValues;
      problem?: FormProblem;
      created?: { endpoint: WebhookEndpoint; secret: string };
    } = {},
  ) {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const pm = provinceMessages[p.lang];
    const m = p.m;
    const endpoints = await services.webhooks.list(ctx);
    const values = opts.values ?? {};
    const notice =
      opts.created !== undefined
        ? pm.registered
        : c.req.query('tb') === 'disabled'
          ? pm.endpointDisabled
          : undefined;
    return sendPage(
      c,
      <Layout p={p} title={pm.webhooksTitle} notice={notice}>
        {opts.created ? (
          <section aria-labelledby="new-endpoint-h" id="new-endpoint">
            <h2 id="new-endpoint-h">{opts.created.endpoint.url}</h2>
            <p class="warning" role="alert">
              {pm.secretOnce}
            </p>
            <p>
              <code class="token" data-secret>
                {opts.created.secret}
              </code>
            </p>
          </section>
        ) : null}
        <p class="meta">{pm.webhooksIntro}</p>
        <Section title={m.nav.webhooks} id="endpoints">
          {endpoints.length === 0 ? (
            <p class="meta">{pm.noEndpoints}</p>
          ) : (
            <Table headings={[pm.url, pm.events, m.state, m.actions]}>
              {endpoints.map((e) => (
                <tr data-endpoint={e.id}>
                  <th scope="row">
                    <a href={paths.webhook(e.id)} aria-label={`${pm.deliveries}: ${e.url}`}>
                      {e.url}
                    </a>
                    {e.description ? <span class="meta">{` · ${e.description}`}</span> : null}
                  </th>
                  <td data-label={pm.events}>{e.events.map((t) => pm.eventNames[t] ?? t).join(', ')}</td>
                  <td data-label={m.state}>
                    <EndpointState pm={pm} endpoint={e} />{' '}
                    {e.pending > 0 ? <Badge tone="warn">{pm.pendingCount(e.pending)}</Badge> : null}{' '}
                    {e.failed > 0 ? <Badge tone="bad">{pm.failedCount(e.failed)}</Badge> : null}
                  </td>
                  <td data-label={e.disabledAt ? m.actions : undefined}>
                    {e.disabledAt ? (
                      m.none
                    ) : (
                      <ConfirmedPost
                        p={p}
                        action={paths.disableWebhook(e.id)}
                        subject={e.url}
                        open={pm.disable}
                        question={pm.disableQuestion}
                        confirm={pm.confirmDisable}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </Table>
          )}
        </Section>
        <Section title={pm.register} id="add">
          <form method="post" action={paths.webhooks} novalidate>
            <Csrf p={p} />
            <FormError message={opts.problem?.general} />
            <TextField
              name="url"
              type="url"
              label={pm.url}
              hint={pm.urlHint}
              value={one(values, 'url')}
              required
              maxlength={2000}
              error={opts.problem?.fields.url}
              autofocus={!!opts.problem?.fields.url}
            />
            <Choices
              name="events"
              type="checkbox"
              label={pm.events}
              options={WEBHOOK_EVENT_TYPES.map((t) => [t, pm.eventNames[t] ?? t] as const)}
              checked={opts.values ? many(values, 'events') : [...WEBHOOK_EVENT_TYPES]}
              error={opts.problem?.fields.events}
              autofocus={!opts.problem?.fields.url && !!opts.problem?.fields.events}
            />
            <TextField
              name="description"
              label={pm.description}
              value={one(values, 'description')}
              maxlength={200}
              error={opts.problem?.fields.description}
            />
            <button type="submit">{pm.register}</button>
          </form>
        </Section>
      </Layout>,
      opts.problem?.status ?? 200,
    );
  }

  app.get(paths.webhooks, manage, (c) => render(c));

  app.post(paths.webhooks, manage, async (c) => {
    const p = pageContext(c);
    const form = await readForm(c);
    const description = one(form, 'description').trim();
    const input = checkInput(
      WebhookEndpointInputSchema,
      { url: one(form, 'url'), events: many(form, 'events'), ...(description && { description }) },
      p,
    );
    if (!input.ok) return render(c, { values: form, problem: input.problem });
    try {
      // The one answer that shows the secret: rendered here, never behind a redirect.
      return render(c, { created: await services.webhooks.register(signedIn(c), input.value) });
    } catch (error) {
      return render(c, { values: form, problem: problemOf(error, p.lang) });
    }
  });

  app.post('/tinh/webhook/:id/tat', manage, async (c) => {
    await services.webhooks.disable(signedIn(c), c.req.param('id'));
    return seeOther(c, paths.webhooks, 'disabled');
  });

  app.get('/tinh/webhook/:id', manage, async (c) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const pm = provinceMessages[p.lang];
    const cursor = c.req.query('sau') || undefined;
    const [{ endpoint, deliveries }, commune] = await Promise.all([
      services.webhooks.deliveries(ctx, c.req.param('id'), { limit: 50, cursor }),
      services.communes.get(ctx),
    ]);
    const at = (iso: string) => shownAt(p, iso, commune.timeZone);
    return sendPage(
      c,
      <Layout p={p} title={pm.deliveriesOf(endpoint.url)}>
        <p>
          <EndpointState pm={pm} endpoint={endpoint} />{' '}
          <span class="meta">{endpoint.events.map((t) => pm.eventNames[t] ?? t).join(', ')}</span>
        </p>
        <Section title={pm.deliveries} id="deliveries">
          {deliveries.items.length === 0 ? (
            <p class="meta">{pm.noDeliveries}</p>
          ) : (
            <Table headings={[pm.events, pm.status, pm.deliveries]}>
              {deliveries.items.map((d) => (
                <DeliveryRow p={p} pm={pm} d={d} at={at} />
              ))}
            </Table>
          )}
          {deliveries.nextCursor ? (
            <p>
              <a
                class="button secondary"
                href={`${paths.webhook(endpoint.id)}?sau=${encodeURIComponent(deliveries.nextCursor)}`}
              >
                {pm.olderDeliveries}
              </a>
            </p>
          ) : null}
        </Section>
        <p>
          <a class="button secondary" href={paths.webhooks}>
            {pm.backToWebhooks}
          </a>
        </p>
      </Layout>,
    );
  });

  return app;
}
