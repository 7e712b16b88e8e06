import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repositories } from '../../src/domain/ports/repositories.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';

/**
 * A secretary adds a Giáy version while the office approves the Vietnamese one it heard: the new version
 * waits for the office, and so does the announcement, which stays in the approval queue. Never an
 * announcement marked approved with a version nobody approved, which no queue would show again and no
 * Giáy hamlet would air. On PostgreSQL (SQLite runs one unit of work at a time).
 */
describe.runIf(dialects.includes('postgres'))('a version added while the office approves', () => {
  let h: Harness;
  let hold: { reached: () => void; go: Promise<void> } | null = null;
  // The secretary's unit of work waits, once it has read the announcement, until the test lets it go on.
  const decorate = (r: Repositories): Repositories => ({
    ...r,
    announcements: {
      ...r.announcements,
      async insertVariant(announcementId, variant, now) {
        const gate = hold;
        if (gate) {
          gate.reached();
          await gate.go;
        }
        return r.announcements.insertVariant(announcementId, variant, now);
      },
    },
  });
  beforeAll(async () => {
    h = await createHarness('postgres', {}, { decorateRepositories: decorate });
  });
  afterAll(() => h.close());

  it('keeps the announcement waiting for the version the office has not seen', async () => {
    const created = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.secretary,
      json: { title: 'Họp chi đoàn', language: 'vi', text: 'Tối thứ sáu họp chi đoàn tại nhà văn hóa.' },
    });
    const { id } = (await created.json()) as { id: string };
    await h.runtime.jobs.drain();
    const heard = (await h.runtime.repos.announcements.findAnnouncement(id))!.variants.map((v) => v.id);

    let release!: () => void;
    const reached = new Promise<void>((done) => {
      hold = { reached: done, go: new Promise((go) => (release = go)) };
    });
    const adding = h.request(`/api/v1/announcements/${id}/variants`, {
      method: 'POST',
      token: h.tokens.secretary,
      json: { language: 'giay', text: 'Tối thứ sáu họp chi đoàn.', voice: 'vi' },
    });
    await reached;
    hold = null;
    const approving = h.request(`/api/v1/announcements/${id}/approve`, {
      method: 'POST',
      token: h.tokens.officer,
      json: { variantIds: heard },
    });
    // The approval either finishes (nothing held the announcement) or waits for the secretary's lock.
    const waiting = async () => {
      for (;;) {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where wait_event_type = 'Lock' and datname = current_database()`.execute(h.runtime.db.kysely);
        if (rows[0]!.n > 0) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await Promise.race([approving, waiting()]);
    release();
    const [added, approved] = await Promise.all([adding, approving]);
    expect([added.status, approved.status]).toEqual([202, 200]);

    const after = (await h.runtime.repos.announcements.findAnnouncement(id))!;
    expect(after.variants.map((v) => [v.language, v.approval])).toEqual([
      ['vi', 'approved'],
      ['giay', 'pending'],
    ]);
    expect(after.approval).toBe('pending');
    const queue = await h.request('/api/v1/announcements?approval=pending', { token: h.tokens.officer });
    expect(((await queue.json()) as { items: { id: string }[] }).items.map((a) => a.id)).toContain(id);
  });
});
