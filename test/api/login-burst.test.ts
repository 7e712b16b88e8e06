import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { createHarness, userPassword, type Harness } from '../support/harness.js';
import { startTwoInstances, type TwoInstances } from '../support/two-instances.js';

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

  it('counts a burst at "head", "Head" and "HEAD" against one budget: they are one account', async () => {
    const spellings = ['head', 'Head', 'HEAD', 'hEAD'];
    const attempts = Array.from({ length: 40 }, (_, i) =>
      h.request('/api/v1/auth/login', {
        method: 'POST',
        json: { username: spellings[i % 4], password: `wrong password ${i}` },
        headers: { 'x-forwarded-for': `198.51.100.${60 + (i % 4)}` },
      }),
    );
    const statuses = (await Promise.all(attempts)).map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(35);
  });
});

/** Guesses spread over the instances behind a balancer are counted together: the counts are in the database. */
describe.each(dialects)('sign-in limits across two instances, on %s', (dialect) => {
  let two: TwoInstances;
  beforeAll(async () => {
    two = await startTwoInstances(dialect);
  });
  afterAll(() => two.close());

  const login = (url: string, password: string) =>
    fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'head', password }),
    });

  it('refuses the sixth guess on one instance after five on the other, and the right password too', async () => {
    for (let i = 0; i < 5; i++) expect((await login(two.urls[0], `wrong password ${i}`)).status).toBe(401);
    const sixth = await login(two.urls[1], 'wrong password 5');
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await login(two.urls[1], userPassword)).status).toBe(429);
    expect((await login(two.urls[0], userPassword)).status).toBe(429);
  });
});
