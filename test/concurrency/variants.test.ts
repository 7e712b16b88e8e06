import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meetAfter } from '../support/crash.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createReadyAnnouncement } from '../support/receiver-fixtures.js';

/** The same language added twice at once (the page and the API, a double tap): one version, one refusal. */
describe.each(dialects)('a version added twice at once on %s', (dialect) => {
  let h: Harness;
  // Each request has read the announcement, without a Giáy version, before either writes.
  const race = meetAfter('announcements', 'findAnnouncement');
  beforeAll(async () => {
    h = await createHarness(dialect, {}, { decorateRepositories: race.decorate });
  });
  afterAll(() => h.close());

  it('keeps one and answers the other 409, not a server error', async () => {
    const ann = await createReadyAnnouncement(h, 'Lịch tiêm phòng', [{ language: 'vi', seconds: 1 }]);
    race.arm(2);
    const answers = await Promise.all(
      [0, 1].map(() =>
        h.request(`/api/v1/announcements/${ann.id}/variants`, {
          method: 'POST',
          token: h.tokens.officer,
          json: { language: 'giay', text: 'Sáng mai tiêm phòng cho trâu bò.', voice: 'vi' },
        }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
    const refused = answers.find((a) => a.status === 409)!;
    expect(((await refused.json()) as { detailVi: string }).detailVi).toContain('đã có bản tiếng "giay"');
    const stored = await h.runtime.repos.announcements.findAnnouncement(ann.id);
    expect(stored!.variants.map((v) => v.language).sort()).toEqual(['giay', 'vi']);
  });
});
