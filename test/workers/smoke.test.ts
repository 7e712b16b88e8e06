import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

describe('smoke', () => {
  it('answers /healthz', async () => {
    const res = await (exports as any).default.fetch('http://loa.test/healthz');
    const body = await res.text();
    expect(res.status, body).toBe(200);
  });
});
