import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnitOfWork } from '../../src/db/repositories/index.js';
import type { LoaEvent } from '../../src/domain/ports/events.js';
import { webIds } from '../../src/domain/ports/ids.js';
import type { Repositories } from '../../src/domain/ports/repositories.js';
import { createWebhookOutbox } from '../../src/services/webhook-events.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';

/**
 * The outbox on the emergency path: a country-wide emergency is one `emergency-sent` per commune, 3,321 of
 * them, written in the booking's own unit of work. Also run on D1 (vitest.workers.config.ts), which binds
 * at most 100 values to a statement.
 */
describe.each(dialects)('webhook outbox on %s', (dialect) => {
  let h: Harness;
  const calls: Record<string, number> = {};
  /** Counts the reads the outbox makes per unit of work. */
  const counting = (r: Repositories): Repositories => ({
    ...r,
    webhooks: {
      ...r.webhooks,
      listSubscribedEndpointIds: (...args) => {
        calls.endpoints = (calls.endpoints ?? 0) + 1;
        return r.webhooks.listSubscribedEndpointIds(...args);
      },
    },
    communes: {
      ...r.communes,
      findCommunes: (...args) => {
        calls.communes = (calls.communes ?? 0) + 1;
        return r.communes.findCommunes(...args);
      },
    },
  });
  const count = async (table: 'webhook_events' | 'webhook_deliveries') =>
    Number(
      (
        await h.runtime.db.kysely
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  it('writes a fact per commune in one unit of work, once each, reading the endpoints and communes once', async () => {
    const { provinceId } = (await h.runtime.repos.communes.findCommune('coc-san'))!;
    const now = h.clock.now().toISOString();
    for (const id of ['ttdh', 'ubnd'])
      await h.runtime.repos.webhooks.insertEndpoint(
        {
          id,
          provinceId,
          url: `https://${id}.example.vn/loa`,
          events: ['emergency.sent'],
          description: null,
          createdBy: h.userIds.admin,
          createdAt: now,
          disabledAt: null,
          sealedSecret: 'v1.sealed',
        },
        now,
      );
    const facts = Array.from({ length: 1200 }, (_, i): Extract<LoaEvent, { type: 'emergency-sent' }> => ({
      type: 'emergency-sent',
      broadcastId: `bc-${i}`,
      provinceId,
      communeId: 'coc-san',
      hamletIds: ['un-ta'],
      startsAt: now,
      title: 'Cảnh báo bão khẩn cấp',
      sentBy: 'can-bo-tinh',
      sentAt: now,
    }));
    const outbox = createWebhookOutbox({ clock: h.clock, ids: webIds });
    const tx = createUnitOfWork(h.runtime.db, counting);

    expect(await tx((r) => outbox.record(r, facts))).toBe(2400);
    expect(calls).toEqual({ endpoints: 1, communes: 1 });
    expect([await count('webhook_events'), await count('webhook_deliveries')]).toEqual([1200, 2400]);
    const body = await h.runtime.db.kysely
      .selectFrom('webhook_events')
      .select('body')
      .where('dedupe_key', '=', 'emergency.sent:bc-7')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(body.body)).toMatchObject({
      type: 'emergency.sent',
      data: { broadcastId: 'bc-7', communeName: 'Xã Cốc San' },
    });

    // The same facts again (another instance, a retry): nothing more.
    expect(await tx((r) => outbox.record(r, facts.slice(0, 600)))).toBe(0);
    expect([await count('webhook_events'), await count('webhook_deliveries')]).toEqual([1200, 2400]);

    // A unit of work that fails after writing them leaves none.
    const more = facts.map((f) => ({ ...f, broadcastId: `${f.broadcastId}-b` }));
    await expect(
      tx(async (r) => {
        await outbox.record(r, more);
        throw new Error('the booking failed after its webhooks were written');
      }),
    ).rejects.toThrow(/booking failed/);
    expect([await count('webhook_events'), await count('webhook_deliveries')]).toEqual([1200, 2400]);
  });
});
