import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meetAfter } from '../support/crash.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';

/** Two admins saving the same setting over the ETag they both read: one saves, the other is told. */
describe.each(dialects)('commune settings saved over one ETag by two admins at once, on %s', (dialect) => {
  let h: Harness;
  // Each save has read the stored settings and goes on only once the other had its chance to read them.
  const race = meetAfter('communes', 'findCommune');
  beforeAll(async () => {
    h = await createHarness(dialect, {}, { decorateRepositories: race.decorate });
  });
  afterAll(() => h.close());

  const read = async () => {
    const res = await h.request('/api/v1/commune', { token: h.tokens.admin });
    const { settings } = (await res.json()) as { settings: { quietHours: unknown } };
    return { etag: res.headers.get('etag')!, quietHours: settings.quietHours };
  };
  const patch = (quietHours: unknown, ifMatch: string) =>
    h.request('/api/v1/commune', {
      method: 'PATCH',
      token: h.tokens.admin,
      headers: { 'if-match': ifMatch },
      json: { quietHours },
    });

  it('saves exactly one and refuses the other with 412', async () => {
    const { etag } = await read();
    const early = { start: '21:00', end: '05:30' };
    const late = { start: '22:30', end: '05:30' };
    race.arm(2);
    const answers = await Promise.all([patch(early, etag), patch(late, etag)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 412]);
    const saved = answers.find((a) => a.status === 200)!;
    const after = await read();
    expect(after.etag).toBe(saved.headers.get('etag'));
    expect(after.quietHours).toEqual(answers[0]!.status === 200 ? early : late);
  });
});
