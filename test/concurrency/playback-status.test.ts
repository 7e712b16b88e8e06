import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Repositories } from '../../src/domain/ports/repositories.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createDevice, createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';

/**
 * Two boxes of one hamlet report the same airing at the same moment, one that it failed and one that it
 * played: the occurrence is `played` (a cluster aired it), whichever report commits last. On PostgreSQL
 * (SQLite runs one unit of work at a time).
 */
describe.runIf(dialects.includes('postgres'))('reports of one airing delivered at the same moment', () => {
  let h: Harness;
  let hold: { reached: () => void; go: Promise<void> } | null = null;
  // The failing box's unit of work waits, once it has read the airing's reports, until the test lets it go.
  const decorate = (r: Repositories): Repositories => ({
    ...r,
    receiverSync: {
      ...r.receiverSync,
      async listPlaybackReports(ids) {
        const reports = await r.receiverSync.listPlaybackReports(ids);
        const gate = hold;
        if (gate) {
          hold = null;
          gate.reached();
          await gate.go;
        }
        return reports;
      },
    },
  });
  beforeAll(async () => {
    h = await createHarness('postgres', {}, { decorateRepositories: decorate });
  });
  afterAll(() => h.close());

  it('keeps the airing played when a failure of another box commits after the start', async () => {
    const failing = await createDevice(h, 'un-ta', 'Cụm loa hỏng');
    const playing = await createDevice(h, 'un-ta', 'Cụm loa tốt');
    const ann = await createReadyAnnouncement(h, 'Lịch thu thuế', [{ language: 'vi', seconds: 2 }]);
    const made = await scheduleBroadcast(h, {
      announcementId: ann.id,
      hamletIds: ['un-ta'],
      at: '2026-11-27T09:00:00+07:00',
    });
    const occurrenceId = made.occurrences[0]!.id;
    h.clock.set('2026-11-27T02:00:30.000Z');
    const log = (token: string, events: unknown[]) =>
      h.request('/api/v1/receiver/logs', { method: 'POST', token, json: { events } });

    let release!: () => void;
    const reached = new Promise<void>((done) => {
      hold = { reached: done, go: new Promise((go) => (release = go)) };
    });
    const failed = log(failing.token, [
      { id: 'f1', occurrenceId, type: 'failed', at: '2026-11-27T02:00:01.000Z', detail: 'amplifier off' },
    ]);
    await reached;
    const started = log(playing.token, [
      { id: 's1', occurrenceId, type: 'started', at: '2026-11-27T02:00:00.000Z' },
    ]);
    // The start either is stored and counted at once, or waits for the failure's unit of work.
    const waiting = async () => {
      for (;;) {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where wait_event_type = 'Lock' and datname = current_database()`.execute(h.runtime.db.kysely);
        if (rows[0]!.n > 0) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await Promise.race([started, waiting()]);
    release();
    expect((await failed).status).toBe(200);
    expect((await started).status).toBe(200);

    const res = await h.request(`/api/v1/playback/${occurrenceId}`, { token: h.tokens.officer });
    const o = (await res.json()) as { status: string; receivers: { receiverId: string; status: string }[] };
    expect(o.receivers.find((r) => r.receiverId === playing.id)?.status).toBe('playing');
    expect(o.receivers.find((r) => r.receiverId === failing.id)?.status).toBe('failed');
    expect(o.status).toBe('played');
  });
});
