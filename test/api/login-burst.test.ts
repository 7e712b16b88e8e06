import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, userPassword, type Harness } from '../support/harness.js';

/**
 * The sign-in limit holds under a burst: an attempt is counted before its password is checked, so
 * forty guesses sent at once cannot all be verified while the first ones are still being hashed.
 */
describe('sign-in under a burst', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('answers 429 to all but the first five of 40 parallel attempts on one user from one address', async () => {
    const attempts = Array.from({ length: 40 }, (_, i) =>
      h.request('/api/v1/auth/login', {
        method: 'POST',
        json: { username: 'secretary', password: i === 20 ? userPassword : `wrong password ${i}` },
        headers: { 'x-forwarded-for': '198.51.100.40' },
      }),
    );
    const statuses = (await Promise.all(attempts)).map((r) => r.status);
    const count = (status: number) => statuses.filter((s) => s === status).length;
    expect(count(429)).toBeGreaterThanOrEqual(35);
    expect(count(401) + count(200)).toBeLessThanOrEqual(5);
    expect(count(401) + count(200) + count(429)).toBe(40);
  });
});
