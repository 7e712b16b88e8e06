import type { Kysely, Selectable } from 'kysely';
import { toPage } from '../../domain/page.js';
import { chunked, runInTurn } from '../in-turn.js';
import type { WebhooksRepository } from '../../domain/ports/repositories.js';
import type { WebhookAttempt, WebhookEndpoint, WebhookEventType } from '../../domain/webhook.js';
import type { Database } from '../schema.js';
import type { WebhookEndpointTable } from '../schema-province.js';

const endpointColumns = [
  'id',
  'province_id',
  'url',
  'events',
  'description',
  'created_by',
  'created_at',
  'disabled_at',
] as const;

/** Webhook endpoints, events, deliveries and attempts; every read of an endpoint names its province. */
export function createWebhooksRepository(db: Kysely<Database>): WebhooksRepository {
  return {
    async insertEndpoint(endpoint, now) {
      await db
        .insertInto('webhook_endpoints')
        .values({
          id: endpoint.id,
          province_id: endpoint.provinceId,
          url: endpoint.url,
          events: JSON.stringify(endpoint.events),
          description: endpoint.description,
          secret_sealed: endpoint.sealedSecret,
          created_by: endpoint.createdBy,
          created_at: now,
        })
        .execute();
    },

    async listEndpoints(provinceId) {
      const rows = await db
        .selectFrom('webhook_endpoints')
        .select(endpointColumns)
        .where('province_id', '=', provinceId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      return rows.map(toEndpoint);
    },

    async findEndpoint(provinceId, id) {
      const row = await db
        .selectFrom('webhook_endpoints')
        .select(endpointColumns)
        .where('province_id', '=', provinceId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toEndpoint(row);
    },

    async disableEndpoint(provinceId, id, now) {
      const result = await db
        .updateTable('webhook_endpoints')
        .set({ disabled_at: now })
        .where('province_id', '=', provinceId)
        .where('id', '=', id)
        .where('disabled_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async listSubscribedEndpointIds(provinceId, type) {
      // A handful of endpoints per province: the subscription list is read as JSON here.
      const rows = await db
        .selectFrom('webhook_endpoints')
        .select(['id', 'events'])
        .where('province_id', '=', provinceId)
        .where('disabled_at', 'is', null)
        .orderBy('id')
        .execute();
      return rows.filter((r) => (JSON.parse(r.events) as string[]).includes(type)).map((r) => r.id);
    },

    async insertEvents(events, now) {
      const inserted: string[] = [];
      // 7 columns a row, the body a few hundred bytes: a province's emergency in every commune is a few
      // statements, each well within the databases' parameter limits.
      for (let i = 0; i < events.length; i += 500) {
        const rows = await db
          .insertInto('webhook_events')
          .values(
            events.slice(i, i + 500).map((event) => ({
              id: event.id,
              province_id: event.provinceId,
              type: event.payload.type,
              dedupe_key: event.dedupeKey,
              body: JSON.stringify(event.payload),
              occurred_at: event.payload.timestamp,
              created_at: now,
            })),
          )
          .onConflict((oc) => oc.column('dedupe_key').doNothing())
          .returning('id')
          .execute();
        inserted.push(...rows.map((r) => r.id));
      }
      return inserted;
    },

    async insertDeliveries(deliveries, now) {
      // 7 columns a row: 21,000 parameters per statement, within SQLite's 32,766 (PostgreSQL: 65,535).
      await runInTurn(
        db,
        chunked(deliveries, 3000, (part) =>
          db
            .insertInto('webhook_deliveries')
            .values(
              part.map((d) => ({
                id: d.id,
                event_id: d.eventId,
                endpoint_id: d.endpointId,
                status: 'pending' as const,
                next_attempt_at: now,
                created_at: now,
                updated_at: now,
              })),
            )
            .onConflict((oc) => oc.columns(['event_id', 'endpoint_id']).doNothing()),
        ),
      );
    },

    /**
     * Candidates first, then one conditional UPDATE per candidate on the attempt count it was read with:
     * every lease counts an attempt, so of two workers that read the same candidate only the first
     * update matches, on SQLite and PostgreSQL alike (as the job queue leases its jobs).
     */
    async leaseDueDeliveries(worker, now, leaseUntil, limit) {
      const candidates = await db
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhook_endpoints as ep', 'ep.id', 'd.endpoint_id')
        .innerJoin('webhook_events as ev', 'ev.id', 'd.event_id')
        .select([
          'd.id',
          'd.event_id',
          'd.endpoint_id',
          'd.attempts',
          'ep.url',
          'ep.secret_sealed',
          'ev.body',
        ])
        .where('d.status', '=', 'pending')
        .where('d.next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('d.lease_until', 'is', null), eb('d.lease_until', '<', now)]))
        .where('ep.disabled_at', 'is', null)
        .orderBy('d.next_attempt_at')
        .orderBy('d.id')
        .limit(limit)
        .execute();
      const leased = [];
      for (const c of candidates) {
        const result = await db
          .updateTable('webhook_deliveries')
          .set({
            attempts: Number(c.attempts) + 1,
            lease_until: leaseUntil,
            leased_by: worker,
            updated_at: now,
          })
          .where('id', '=', c.id)
          .where('status', '=', 'pending')
          .where('attempts', '=', Number(c.attempts))
          .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) continue;
        leased.push({
          id: c.id,
          eventId: c.event_id,
          endpointId: c.endpoint_id,
          attempt: Number(c.attempts) + 1,
          url: c.url,
          sealedSecret: c.secret_sealed,
          body: c.body,
        });
      }
      return leased;
    },

    async startAttempt(attempt) {
      await db
        .insertInto('webhook_attempts')
        .values({
          id: attempt.id,
          delivery_id: attempt.deliveryId,
          attempt: attempt.attempt,
          started_at: attempt.startedAt,
        })
        .execute();
    },

    async finishAttempt(deliveryId, attempt, result) {
      await db
        .updateTable('webhook_attempts')
        .set({
          status_code: result.statusCode,
          duration_ms: Math.round(result.durationMs),
          error: result.error,
          finished_at: result.finishedAt,
        })
        .where('delivery_id', '=', deliveryId)
        .where('attempt', '=', attempt)
        .execute();
    },

    async settleDelivery(id, worker, outcome, now) {
      const result = await db
        .updateTable('webhook_deliveries')
        .set({
          status: outcome.status,
          next_attempt_at: outcome.nextAttemptAt,
          last_error: outcome.error,
          lease_until: null,
          leased_by: null,
          updated_at: now,
          ...(outcome.status === 'delivered' && { delivered_at: now }),
        })
        .where('id', '=', id)
        .where('leased_by', '=', worker)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async listDeliveries(endpointId, page) {
      let query = db
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhook_events as ev', 'ev.id', 'd.event_id')
        .select([
          'd.id',
          'd.event_id',
          'd.endpoint_id',
          'ev.type',
          'd.status',
          'd.attempts',
          'd.next_attempt_at',
          'd.created_at',
          'd.delivered_at',
        ])
        .where('d.endpoint_id', '=', endpointId)
        .orderBy('d.id', 'desc')
        .limit(page.limit + 1);
      if (page.cursor) query = query.where('d.id', '<', page.cursor);
      const rows = await query.execute();
      const ids = rows.slice(0, page.limit).map((r) => r.id);
      const attempts =
        ids.length === 0
          ? []
          : await db
              .selectFrom('webhook_attempts')
              .selectAll()
              .where('delivery_id', 'in', ids)
              .orderBy('delivery_id')
              .orderBy('attempt')
              .execute();
      const byDelivery = new Map<string, WebhookAttempt[]>();
      for (const a of attempts) {
        const list = byDelivery.get(a.delivery_id) ?? [];
        list.push({
          attempt: Number(a.attempt),
          startedAt: a.started_at,
          statusCode: a.status_code === null ? null : Number(a.status_code),
          durationMs: a.duration_ms === null ? null : Number(a.duration_ms),
          error: a.error,
          finishedAt: a.finished_at,
        });
        byDelivery.set(a.delivery_id, list);
      }
      return toPage(
        rows.map((r) => ({
          id: r.id,
          eventId: r.event_id,
          endpointId: r.endpoint_id,
          type: r.type as WebhookEventType,
          status: r.status,
          attempts: Number(r.attempts),
          nextAttemptAt: r.status === 'pending' ? r.next_attempt_at : null,
          createdAt: r.created_at,
          deliveredAt: r.delivered_at,
          attemptLog: byDelivery.get(r.id) ?? [],
        })),
        page.limit,
      );
    },

    async countOpenDeliveries(endpointIds) {
      if (endpointIds.length === 0) return [];
      const rows = await db
        .selectFrom('webhook_deliveries')
        .select(['endpoint_id', 'status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('endpoint_id', 'in', [...endpointIds])
        .where('status', 'in', ['pending', 'failed'])
        .groupBy(['endpoint_id', 'status'])
        .execute();
      return endpointIds.map((endpointId) => ({
        endpointId,
        pending: Number(rows.find((r) => r.endpoint_id === endpointId && r.status === 'pending')?.n ?? 0),
        failed: Number(rows.find((r) => r.endpoint_id === endpointId && r.status === 'failed')?.n ?? 0),
      }));
    },
  };
}

function toEndpoint(
  row: Pick<Selectable<WebhookEndpointTable>, (typeof endpointColumns)[number]>,
): WebhookEndpoint {
  return {
    id: row.id,
    provinceId: row.province_id,
    url: row.url,
    events: JSON.parse(row.events) as WebhookEventType[],
    description: row.description,
    createdBy: row.created_by,
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
  };
}
