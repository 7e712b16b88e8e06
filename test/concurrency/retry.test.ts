import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repositories } from '../../src/domain/ports/repositories.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createReadyAnnouncement } from '../support/receiver-fixtures.js';

/**
 * "Xử lý lại" pressed twice at once (two tabs, a double tap): both requests read the failed version
 * before either writes, and each names its job by its own moment. One job processes the version, not
 * two racing on its status. On PostgreSQL (SQLite runs one unit of work at a time).
 */
describe.runIf(dialects.includes('postgres'))('a failed version retried twice at once', () => {
  let h: Harness;
  let armed = false;
  const held: (() => void)[] = [];
  let bothRead: () => void = () => {};
  // Each retry waits, once it has read the announcement, until the test lets it go on.
  const decorate = (r: Repositories): Repositories => ({
    ...r,
    announcements: {
      ...r.announcements,
      async findAnnouncement(id) {
        const found = await r.announcements.findAnnouncement(id);
        if (armed) {
          await new Promise<void>((resolve) => {
            held.push(resolve);
            if (held.length === 2) bothRead();
          });
        }
        return found;
      },
    },
  });
  beforeAll(async () => {
    h = await createHarness('postgres', {}, { decorateRepositories: decorate });
  });
  afterAll(() => h.close());

  it('queues one job for it', async () => {
    const ann = await createReadyAnnouncement(h, 'Lịch tiêm phòng', [{ language: 'vi', seconds: 1 }]);
    const variantId = `${ann.id}-v0`;
    await h.runtime.repos.announcements.setVariantStatus(
      variantId,
      'failed',
      'Tệp hỏng',
      h.clock.now().toISOString(),
    );
    const read = new Promise<void>((resolve) => (bothRead = resolve));
    armed = true;
    const retry = () =>
      h.request(`/api/v1/announcements/${ann.id}/retry`, { method: 'POST', token: h.tokens.officer });
    const answers = [retry(), retry()];
    await read;
    armed = false;
    // The first goes on and commits; the second, a second later, finds the version taken.
    held[0]!();
    const first = await Promise.race(answers);
    expect(first.status).toBe(202);
    h.clock.advance(1000);
    held[1]!();
    const both = await Promise.all(answers);
    expect(both.map((a) => a.status)).toEqual([202, 202]);
    const jobs = await h.runtime.db.kysely
      .selectFrom('jobs')
      .select('id')
      .where('name', '=', 'process-variant')
      .where('data', '=', JSON.stringify({ variantId }))
      .execute();
    expect(jobs).toHaveLength(1);
  });
});
