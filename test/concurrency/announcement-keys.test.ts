import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { postAtOnce, startTwoInstances, type TwoInstances } from '../support/two-instances.js';

/**
 * A phone on a bad link sending one typed announcement many times under its key, to two instances of the
 * service on one database: one announcement and one processing job, and every answer names it.
 */
describe.each(dialects)('an announcement sent 20 times at once under one key over %s', (dialect) => {
  let two: TwoInstances;
  beforeAll(async () => {
    two = await startTwoInstances(dialect);
  });
  afterAll(() => two?.close());

  it('is made once, and each copy is answered 202 with it', async () => {
    const title = `Họp thôn về làm đường (${dialect})`;
    const request = { title, language: 'vi', text: 'Mời bà con họp lúc 19 giờ tại nhà văn hóa.' };
    const answers = await postAtOnce(two, '/api/v1/announcements', Array<unknown>(20).fill(request), {
      'idempotency-key': `phone-${dialect}-4be1d2`,
    });

    expect(answers.map((a) => a.status)).toEqual(Array<number>(20).fill(202));
    const ids = new Set(answers.map((a) => a.body.id as string));
    expect(ids.size).toBe(1);
    const stored = await two.db.selectFrom('announcements').select('id').where('title', '=', title).execute();
    expect(stored.map((a) => a.id)).toEqual([...ids]);
    const variants = await two.db
      .selectFrom('announcement_variants')
      .select('id')
      .where('announcement_id', '=', [...ids][0]!)
      .execute();
    expect(variants).toHaveLength(1);
    const jobs = await two.db
      .selectFrom('jobs')
      .select('id')
      .where('id', '=', `process-variant:${variants[0]!.id}:1`)
      .execute();
    expect(jobs).toHaveLength(1);
    const created = await two.db
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'announcement.create')
      .where('target_id', '=', [...ids][0]!)
      .execute();
    expect(created).toHaveLength(1);
  });
});
