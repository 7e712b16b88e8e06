import { describe, expect, it } from 'vitest';
import { createFetchWebhookTransport } from '../../src/edge/webhook-transport.js';

/** The Worker's transport: what ends an attempt before anything is sent. */
describe('webhook transport on the edge', () => {
  const request = (url: string) => ({
    url,
    headers: { 'content-type': 'application/json' },
    body: '{"a":1}',
  });

  it('counts a DNS-over-HTTPS resolver that does not answer against the attempt’s timeout', async () => {
    const stuck = createFetchWebhookTransport({ timeoutMs: 300, resolveHost: () => new Promise(() => {}) });
    const result = await Promise.race([
      stuck.send(request('https://hooks.example.vn/loa')),
      new Promise<'hung'>((done) => setTimeout(() => done('hung'), 2000)),
    ]);
    expect(result).toMatchObject({
      statusCode: null,
      error: 'the host hooks.example.vn could not be resolved (no answer within 0.3 s)',
    });
  });

  it('refuses a name that resolves inside a local network, sending nothing', async () => {
    const inside = createFetchWebhookTransport({ resolveHost: async () => ['10.0.0.7'] });
    const result = await inside.send(request('https://hooks.example.vn/loa'));
    expect(result.statusCode).toBeNull();
    expect(result.error).toMatch(/^refused: the URL resolves to a private or local address/);
  });
});
