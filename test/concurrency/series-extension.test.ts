import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repositories } from '../../src/domain/ports/repositories.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';

const day = 86_400_000;

/**
 * A dispatcher tick reads the series to extend, then takes their hamlets' locks to write; content withdrawn
 * or refused in between must get no new airing. On PostgreSQL the two run side by side (SQLite runs one
 * unit of work at a time, and the tick's read is before its own).
 */
describe.runIf(dialects.includes('postgres'))(
  'a series extended while its content is taken off the air',
  () => {
    let h: Harness;
    let held:
      { release: () => void; arrived: Promise<void>; came: () => void; until: Promise<void> } | undefined;
    /** Holds the next unit of work that takes hamlet locks before it takes them, until released. */
    function hold() {
      let release!: () => void;
      let came!: () => void;
      const until = new Promise<void>((resolve) => (release = resolve));
      const arrived = new Promise<void>((resolve) => (came = resolve));
      held = { release, arrived, came, until };
      return held;
    }
    const decorate = (r: Repositories): Repositories => ({
      ...r,
      hamlets: {
        ...r.hamlets,
        async lockSchedules(ids) {
          const waiting = held;
          if (waiting) {
            held = undefined;
            waiting.came();
            await waiting.until;
          }
          return r.hamlets.lockSchedules(ids);
        },
      },
    });

    beforeAll(async () => {
      h = await createHarness('postgres', {}, { decorateRepositories: decorate });
    });
    afterAll(() => h.close());

    it('books no airing of content withdrawn or refused after the tick read it', async () => {
      const series = async (title: string, hour: number) => {
        const ann = await createReadyAnnouncement(h, title, [{ language: 'vi', seconds: 2 }]);
        const booked = await scheduleBroadcast(h, {
          announcementId: ann.id,
          hamletIds: ['un-ta'],
          recurrence: { cron: `0 ${hour} * * 1`, from: h.clock.now().toISOString(), count: 8 },
        });
        return { announcementId: ann.id, broadcastId: booked.id };
      };
      const withdrawn = await series('Vệ sinh môi trường', 9);
      const refused = await series('Thu phí rác', 10);
      const kept = await series('Lịch sinh hoạt chi đoàn', 11);
      h.clock.advance(9 * day);

      const gate = hold();
      const tick = h.runtime.services.broadcasts.extendSeries();
      await gate.arrived;
      const withdraw = await h.request(`/api/v1/announcements/${withdrawn.announcementId}/withdraw`, {
        method: 'POST',
        token: h.tokens.officer,
      });
      expect(withdraw.status).toBe(200);
      const reject = await h.request(`/api/v1/announcements/${refused.announcementId}/reject`, {
        method: 'POST',
        token: h.tokens.officer,
        json: { reason: 'Sai mức phí' },
      });
      expect(reject.status).toBe(200);
      gate.release();
      await tick;

      const toCome = (broadcastId: string) =>
        h.runtime.db.kysely
          .selectFrom('occurrences')
          .select('starts_at')
          .where('broadcast_id', '=', broadcastId)
          .where('status', '=', 'scheduled')
          .where('starts_at', '>', h.clock.now().toISOString())
          .execute();
      expect(await toCome(withdrawn.broadcastId)).toEqual([]);
      expect(await toCome(refused.broadcastId)).toEqual([]);
      // The tick did its work for the rest.
      expect((await toCome(kept.broadcastId)).length).toBeGreaterThan(0);
    });
  },
);
