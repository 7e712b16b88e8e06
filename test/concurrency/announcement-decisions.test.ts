import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createReadyAnnouncement } from '../support/receiver-fixtures.js';

interface Answer {
  readonly status: number;
  readonly body: { approval?: string; detailVi?: string };
}

/**
 * Two officers decide on the same announcement at the same moment, one approving and one refusing: one
 * decision is made and the other officer is told (409 without If-Match, 412 with the tag both read),
 * never the later one silently overwriting the first.
 */
describe.each(dialects)('two officers deciding at once on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  /** Ready content waiting for the office. */
  async function waiting(title: string): Promise<string> {
    const a = await createReadyAnnouncement(h, title, [{ language: 'vi', seconds: 1 }]);
    const repo = h.runtime.repos.announcements;
    const now = h.clock.now().toISOString();
    await repo.setVariantApprovals(a.id, ['approved'], 'pending', now);
    await repo.setApproval(a.id, 'pending', null, null, now);
    return a.id;
  }
  const answer = async (res: Promise<Response>): Promise<Answer> => {
    const r = await res;
    return { status: r.status, body: (await r.json()) as Answer['body'] };
  };
  const decideBoth = (id: string, ifMatch?: string) => {
    const headers = ifMatch ? { 'if-match': ifMatch } : undefined;
    return Promise.all([
      answer(
        h.request(`/api/v1/announcements/${id}/approve`, {
          method: 'POST',
          token: h.tokens.officer,
          ...(headers && { headers }),
        }),
      ),
      answer(
        h.request(`/api/v1/announcements/${id}/reject`, {
          method: 'POST',
          token: h.tokens.admin,
          json: { reason: 'Nội dung chưa đúng' },
          ...(headers && { headers }),
        }),
      ),
    ]);
  };
  const decisions = async (id: string) =>
    h.runtime.db.kysely
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', id)
      .where('action', 'in', ['announcement.approve', 'announcement.reject'])
      .execute();

  /** Exactly one answer is 200; the other is `loser`, and the announcement is as the winner left it. */
  async function oneWins(id: string, answers: readonly Answer[], loser: number): Promise<void> {
    expect(answers.map((a) => a.status).sort()).toEqual([200, loser].sort());
    const won = answers.find((a) => a.status === 200)!;
    const lost = answers.find((a) => a.status === loser)!;
    expect(lost.body.detailVi).toBeTruthy();
    const now = await h.request(`/api/v1/announcements/${id}`, { token: h.tokens.officer });
    expect(((await now.json()) as { approval: string }).approval).toBe(won.body.approval);
    expect(await decisions(id)).toHaveLength(1);
  }

  it('without If-Match: one decides, the other is told it would overturn that decision (409)', async () => {
    for (let round = 0; round < 4; round++) {
      const id = await waiting(`Thông báo số ${round}`);
      await oneWins(id, await decideBoth(id), 409);
    }
  });

  it('with the ETag both read: one decides, the other finds it changed (412)', async () => {
    for (let round = 0; round < 4; round++) {
      const id = await waiting(`Thông báo có thẻ ${round}`);
      const read = await h.request(`/api/v1/announcements/${id}`, { token: h.tokens.officer });
      await oneWins(id, await decideBoth(id, read.headers.get('etag')!), 412);
    }
  });
});
