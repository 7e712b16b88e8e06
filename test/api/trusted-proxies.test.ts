import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromTrustedHop } from '../../src/http/forwarded.js';
import { adminPassword, createHarness, type Harness } from '../support/harness.js';

/** Failed sign-ins from behind `hops` reverse proxies: X-Forwarded-For is read from the right. */
describe.each([
  { hops: '1', forwarded: (i: number) => `198.18.${i}.1, 203.0.113.60`, other: '198.18.0.1, 203.0.113.61' },
  {
    hops: '2',
    forwarded: (i: number) => `198.18.${i}.1, 203.0.113.62, 10.0.0.${i}`,
    other: '198.18.0.1, 203.0.113.63, 10.0.0.1',
  },
])('TRUST_PROXY=$hops', ({ hops, forwarded, other }) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite', { TRUST_PROXY: hops });
  });
  afterAll(() => h?.close());

  const login = (username: string, password: string, xff: string) =>
    h.request('/api/v1/auth/login', {
      method: 'POST',
      json: { username, password },
      headers: { 'x-forwarded-for': xff },
    });

  it('limits the address the trusted proxies saw, however the client fills in the entries before it', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++)
      statuses.push((await login(`guess-${i}`, 'bad password', forwarded(i))).status);
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
    expect(statuses.slice(20)).toEqual(Array(5).fill(429));
    expect((await login('admin', adminPassword, forwarded(99))).status).toBe(429);
    // Another address behind the same proxies is not held back.
    expect((await login('admin', adminPassword, other)).status).toBe(200);
  });
});

describe('fromTrustedHop', () => {
  it('reads the entry the outermost trusted proxy wrote, and nothing without trusted proxies', () => {
    expect(fromTrustedHop('6.6.6.6, 203.0.113.9', 0)).toBeUndefined();
    expect(fromTrustedHop('6.6.6.6, 203.0.113.9', 1)).toBe('203.0.113.9');
    expect(fromTrustedHop('6.6.6.6, 203.0.113.9, 10.0.0.2', 2)).toBe('203.0.113.9');
    // Fewer entries than proxies: the leftmost is as far as anyone can tell.
    expect(fromTrustedHop('203.0.113.9', 2)).toBe('203.0.113.9');
    expect(fromTrustedHop(undefined, 1)).toBeUndefined();
    expect(fromTrustedHop('6.6.6.6, ', 1)).toBeUndefined();
  });
});
