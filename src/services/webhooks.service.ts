import type { RequestContext } from '../domain/actor.js';
import { conflict, invalid, notFound } from '../domain/errors.js';
import type { Page, PageRequest } from '../domain/page.js';
import { assertAllowed } from '../domain/policy.js';
import type { Clock } from '../domain/ports/clock.js';
import type { EventBus } from '../domain/ports/events.js';
import type { IdGenerator } from '../domain/ports/ids.js';
import type { Logger } from '../domain/ports/logger.js';
import type { Repositories, UnitOfWork } from '../domain/ports/repositories.js';
import type { ResolveHost, SecretBox, WebhookTransport } from '../domain/ports/webhooks.js';
import { isIpAddress } from '../domain/relay-url.js';
import {
  WEBHOOK_MAX_ATTEMPTS,
  webhookAddressProblem,
  webhookRetryDelayMs,
  webhookUrlProblem,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEndpointInput,
} from '../domain/webhook.js';
import type { AuditTrail } from './audit.service.js';
import { webhookEventOf } from './webhook-events.js';
import { newWebhookSecret, signWebhook } from './webhook-signature.js';

interface Deps {
  readonly repos: Pick<Repositories, 'webhooks'>;
  readonly tx: UnitOfWork;
  readonly audit: AuditTrail;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  readonly bus: EventBus;
  readonly secrets: SecretBox;
  readonly transport: WebhookTransport;
  readonly resolveHost: ResolveHost;
  /** `WEBHOOK_ALLOW_PRIVATE`: endpoints on the province's own network. */
  readonly allowPrivate: boolean;
  /** Sent as `User-Agent`, so an operations centre can tell Loa's calls in its logs. */
  readonly userAgent: string;
}

/**
 * An endpoint with how many of its deliveries wait for a retry and how many failed for good. A disabled
 * endpoint is sent nothing more, so none of its deliveries waits for anything.
 */
export interface EndpointView extends WebhookEndpoint {
  readonly pending: number;
  readonly failed: number;
}

/** How long one attempt holds its delivery: longer than the transport's timeout, so no one else takes it. */
export const DELIVERY_LEASE_MS = 60_000;

/**
 * Signed outbound webhooks of the province: endpoints the province admin registers (the secret shown
 * once), and the deliveries of the durable outbox (one event per fact, one delivery per event and
 * endpoint, written by the fact's own unit of work: `createWebhookOutbox`) worked by `deliverDue`: leased
 * per attempt, signed per Standard Webhooks, retried with back-off, every attempt recorded.
 */
export function createWebhooksService(deps: Deps) {
  const { clock } = deps;
  const rule = { allowPrivate: deps.allowPrivate };

  /** The URL as written, then its host's addresses now: both must be outside local networks. */
  async function checkUrl(url: string): Promise<void> {
    const problem = webhookUrlProblem(url, rule) ?? (await addressProblem(url));
    if (problem) throw invalid('url', `The URL ${problem.en}.`, `Địa chỉ ${problem.vi}.`);
  }

  async function addressProblem(url: string) {
    const host = new URL(url).hostname;
    if (isIpAddress(host)) return webhookAddressProblem(url, [host.replace(/^\[(.*)\]$/, '$1')], rule);
    let addresses: readonly string[] = [];
    try {
      addresses = await deps.resolveHost(host);
    } catch {
      // No answer is refused below as a name that does not resolve.
    }
    return webhookAddressProblem(url, addresses, rule);
  }

  /** Sends one leased attempt and records what came of it; never throws. */
  async function attempt(
    d: Awaited<ReturnType<Repositories['webhooks']['leaseDueDeliveries']>>[number],
    worker: string,
  ): Promise<void> {
    // Its last attempt was leased and never settled (the sender died, or lost its lease): not sent a
    // thirteenth time, but failed, as the last attempt's failure would have.
    if (d.attempt > WEBHOOK_MAX_ATTEMPTS) {
      const now = clock.now().toISOString();
      const error = 'the sender stopped during the last attempt';
      await deps.tx((r) =>
        r.webhooks.settleDelivery(d.id, worker, { status: 'failed', nextAttemptAt: null, error }, now),
      );
      deps.logger.warn({ delivery: d.id, attempt: d.attempt - 1 }, 'webhook delivery failed');
      return;
    }
    const startedAt = clock.now();
    await deps.repos.webhooks.startAttempt({
      id: deps.ids.id(),
      deliveryId: d.id,
      attempt: d.attempt,
      startedAt: startedAt.toISOString(),
    });
    let result;
    try {
      const secret = await deps.secrets.open(d.sealedSecret);
      const timestampS = Math.floor(startedAt.getTime() / 1000);
      result = await deps.transport.send({
        url: d.url,
        body: d.body,
        headers: {
          'content-type': 'application/json',
          'user-agent': deps.userAgent,
          'webhook-id': d.eventId,
          'webhook-timestamp': String(timestampS),
          'webhook-signature': await signWebhook(secret, d.eventId, timestampS, d.body),
        },
      });
    } catch (error) {
      // A secret sealed with another key (LOA_SECRET_KEY differs between instances) lands here.
      result = { statusCode: null, durationMs: 0, error: `not sent: ${(error as Error).message}` };
    }
    const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    const last = d.attempt >= WEBHOOK_MAX_ATTEMPTS;
    const finished = clock.now();
    const error = ok ? null : (result.error ?? `HTTP ${result.statusCode}`);
    await deps.tx(async (r) => {
      await r.webhooks.finishAttempt(d.id, d.attempt, {
        statusCode: result.statusCode,
        durationMs: result.durationMs,
        error,
        finishedAt: finished.toISOString(),
      });
      const settled = await r.webhooks.settleDelivery(
        d.id,
        worker,
        ok
          ? { status: 'delivered', nextAttemptAt: null, error: null }
          : last
            ? { status: 'failed', nextAttemptAt: null, error }
            : {
                status: 'pending',
                nextAttemptAt: new Date(finished.getTime() + webhookRetryDelayMs(d.attempt)).toISOString(),
                error,
              },
        finished.toISOString(),
      );
      if (!settled)
        deps.logger.warn({ delivery: d.id, attempt: d.attempt }, 'webhook lease lost before settling');
    });
    if (!ok) deps.logger.warn({ delivery: d.id, attempt: d.attempt, error }, 'webhook attempt failed');
  }

  return {
    /** A new endpoint of the caller's province; its signing secret is in this answer only. */
    async register(
      ctx: RequestContext,
      input: WebhookEndpointInput,
    ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
      assertAllowed(ctx.actor, 'province.manage');
      await checkUrl(input.url);
      const url = new URL(input.url).href;
      const secret = newWebhookSecret();
      const sealedSecret = await deps.secrets.seal(secret);
      const id = deps.ids.id();
      const now = clock.now().toISOString();
      const endpoint: WebhookEndpoint = {
        id,
        provinceId: ctx.actor.provinceId,
        url,
        events: input.events,
        description: input.description ?? null,
        createdBy: ctx.actor.id,
        createdAt: now,
        disabledAt: null,
      };
      await deps.tx(async (r) => {
        await r.webhooks.insertEndpoint({ ...endpoint, sealedSecret }, now);
        await deps.audit.record(r, {
          ...ctx,
          action: 'webhook.create',
          targetType: 'webhook_endpoint',
          targetId: id,
          details: { url, events: input.events },
        });
      });
      return { endpoint, secret };
    },

    /** The province's endpoints, newest first, with their open deliveries counted. */
    async list(ctx: RequestContext): Promise<readonly EndpointView[]> {
      assertAllowed(ctx.actor, 'province.manage');
      const endpoints = await deps.repos.webhooks.listEndpoints(ctx.actor.provinceId);
      const counts = await deps.repos.webhooks.countOpenDeliveries(endpoints.map((e) => e.id));
      return endpoints.map((e) => {
        const c = counts.find((x) => x.endpointId === e.id);
        return { ...e, pending: e.disabledAt ? 0 : (c?.pending ?? 0), failed: c?.failed ?? 0 };
      });
    },

    /** Disables an endpoint: nothing more is sent to it, pending deliveries included. 409 if it was. */
    async disable(ctx: RequestContext, id: string): Promise<WebhookEndpoint> {
      assertAllowed(ctx.actor, 'province.manage');
      return deps.tx(async (r) => {
        const endpoint = await r.webhooks.findEndpoint(ctx.actor.provinceId, id);
        if (!endpoint) throw notFound('Webhook endpoint', id, 'điểm nhận webhook');
        if (!(await r.webhooks.disableEndpoint(ctx.actor.provinceId, id, clock.now().toISOString()))) {
          throw conflict(
            `The endpoint ${endpoint.url} was already disabled.`,
            `Điểm nhận ${endpoint.url} đã bị tắt trước đó.`,
          );
        }
        await deps.audit.record(r, {
          ...ctx,
          action: 'webhook.disable',
          targetType: 'webhook_endpoint',
          targetId: id,
          details: { url: endpoint.url },
        });
        return (await r.webhooks.findEndpoint(ctx.actor.provinceId, id))!;
      });
    },

    /** One endpoint of the province with its deliveries, newest first, each with every attempt. */
    async deliveries(
      ctx: RequestContext,
      id: string,
      page: PageRequest,
    ): Promise<{ endpoint: WebhookEndpoint; deliveries: Page<WebhookDelivery> }> {
      assertAllowed(ctx.actor, 'province.manage');
      const endpoint = await deps.repos.webhooks.findEndpoint(ctx.actor.provinceId, id);
      if (!endpoint) throw notFound('Webhook endpoint', id, 'điểm nhận webhook');
      const deliveries = await deps.repos.webhooks.listDeliveries(id, page);
      if (!endpoint.disabledAt) return { endpoint, deliveries };
      // Its pending deliveries are never attempted again: no next attempt to show.
      const items = deliveries.items.map((d) => ({ ...d, nextAttemptAt: null }));
      return { endpoint, deliveries: { ...deliveries, items } };
    },

    /**
     * Wakes the sender (`wake`) when the bus tells of a fact with a webhook, here or on another instance:
     * its unit of work wrote the webhook, so a wake-up lost only waits for the sender's next look.
     * Returns the unsubscribe function.
     */
    listen(wake: () => void): () => void {
      return deps.bus.subscribe((event) => {
        if (webhookEventOf(event)) wake();
      });
    },

    /**
     * Leases up to `limit` due deliveries for `worker` and makes one attempt of each, at once; returns
     * how many attempts were made. A crash between sending and recording leaves the attempt unfinished:
     * its lease runs out and the next attempt sends the same `webhook-id`, so the receiver can dedupe.
     */
    async deliverDue(worker: string, limit = 10): Promise<number> {
      const now = clock.now();
      const leased = await deps.repos.webhooks.leaseDueDeliveries(
        worker,
        now.toISOString(),
        new Date(now.getTime() + DELIVERY_LEASE_MS).toISOString(),
        limit,
      );
      await Promise.all(
        leased.map((d) =>
          attempt(d, worker).catch((error: Error) =>
            deps.logger.error({ delivery: d.id, err: error.message }, 'webhook attempt not recorded'),
          ),
        ),
      );
      return leased.length;
    },
  };
}

export type WebhooksService = ReturnType<typeof createWebhooksService>;
