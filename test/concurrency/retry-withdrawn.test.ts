import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repositories } from '../../src/domain/ports/repositories.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createReadyAnnouncement } from '../support/receiver-fixtures.js';

/**
 * "Xử lý lại" pressed while the author withdraws the announcement: the retry has read the failed version
 * before the withdrawal commits. It queues nothing for content that will never air again (409). On
 * PostgreSQL (SQLite runs one unit of work at a time).
 */
describe.runIf(dialects.includes('postgres'))('a retry racing a withdrawal', () => {
  let h: Harness;
  let hold: { reached: () => void; go: Promise<void> } | null = null;
  // The retry's unit of work waits, once it has read the announcement, until the test lets it go on.
  const decorate = (r: Repositories): Repositories => ({
    ...r,
    announcements: {
      ...r.announcements,
      async findAnnouncement(id) {
        const found = await r.announcements.findAnnouncement(id);
        const gate = hold;
        if (gate) {
          hold = null;
          gate.reached();
          await gate.go;
        }
        return found;
      },
    },
  });
  beforeAll(async () => {
    h = await createHarness('postgres', {}, { decorateRepositories: decorate });
  });
  afterAll(() => h.close());

  it('queues nothing once the withdrawal is in', async () => {
    const a = await createReadyAnnouncement(h, 'Lịch tiêm phòng', [{ language: 'vi', seconds: 1 }]);
    const variantId = `${a.id}-v0`;
    await h.runtime.repos.announcements.setVariantStatus(
      variantId,
      'failed',
      'Tệp hỏng',
      h.clock.now().toISOString(),
    );
    let release!: () => void;
    const reached = new Promise<void>((done) => {
      hold = { reached: done, go: new Promise((go) => (release = go)) };
    });
    const retrying = h.request(`/api/v1/announcements/${a.id}/retry`, {
      method: 'POST',
      token: h.tokens.officer,
    });
    await reached;
    const withdrawn = await h.request(`/api/v1/announcements/${a.id}/withdraw`, {
      method: 'POST',
      token: h.tokens.officer,
    });
    expect(withdrawn.status).toBe(200);
    release();

    const retried = await retrying;
    expect(retried.status).toBe(409);
    const jobs = await h.runtime.db.kysely
      .selectFrom('jobs')
      .select('id')
      .where('data', '=', JSON.stringify({ variantId }))
      .execute();
    expect(jobs).toHaveLength(0);
  });
});
