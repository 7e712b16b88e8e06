import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookTransport } from '../../src/events/webhook-transport.node.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * The transport against a real local HTTP server: what it refuses to connect to, and how it ends an
 * attempt that would otherwise hang, redirect, or stream without end.
 */
describe('webhook transport', () => {
  let receiver: WebhookReceiver;
  const request = (url: string) => ({
    url,
    headers: { 'content-type': 'application/json' },
    body: '{"a":1}',
  });
  const onNetwork = createWebhookTransport({
    allowPrivate: true,
    timeoutMs: 500,
    maxResponseBytes: 16 * 1024,
    resolveHost: async (name) => (name === 'public.example.vn' ? ['93.184.216.34'] : ['127.0.0.1']),
  });

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(() => receiver.close());

  it('sends the body and headers, and takes a 2xx as delivered', async () => {
    const result = await onNetwork.send(request(receiver.url('/ok')));
    expect(result).toMatchObject({ statusCode: 200, error: null });
    expect(receiver.received.at(-1)).toMatchObject({ path: '/ok', body: '{"a":1}' });
  });

  it('does not follow a redirect', async () => {
    receiver.answer((res) => {
      res.writeHead(302, { location: receiver.url('/elsewhere') });
      res.end();
    });
    const result = await onNetwork.send(request(receiver.url('/moved')));
    expect(result).toMatchObject({ statusCode: 302 });
    expect(result.error).toBe(`redirect not followed (HTTP 302 to ${receiver.url('/elsewhere')})`);
    expect(receiver.received.map((r) => r.path)).not.toContain('/elsewhere');
  });

  it('stops reading an answer past the size limit, keeping its status', async () => {
    receiver.answer((res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      // An answer that never ends: only the limit stops the read before the timeout.
      const chunk = 'x'.repeat(4096);
      const timer = setInterval(() => res.write(chunk), 1);
      res.on('close', () => clearInterval(timer));
    });
    const result = await onNetwork.send(request(receiver.url('/endless')));
    expect(result).toMatchObject({ statusCode: 200, error: null });
    expect(result.durationMs).toBeLessThan(500);
  });

  it('gives up on a server that does not answer in time', async () => {
    receiver.answer(() => {
      // Never answers.
    });
    const result = await onNetwork.send(request(receiver.url('/silent')));
    expect(result).toMatchObject({ statusCode: null, error: 'no complete answer within 0.5 s' });
    expect(result.durationMs).toBeGreaterThanOrEqual(450);
  });

  it('counts a resolver that does not answer against the same timeout', async () => {
    const stuck = createWebhookTransport({
      allowPrivate: true,
      timeoutMs: 300,
      resolveHost: () => new Promise(() => {}),
    });
    const result = await stuck.send(request('https://hooks.example.vn/loa'));
    expect(result.error).toBe('the host hooks.example.vn could not be resolved (no answer within 0.3 s)');
    expect(result.durationMs).toBeLessThan(1000);
  });

  it('sends plain http only inside the network, and nothing at all to a local address by default', async () => {
    expect(await onNetwork.send(request('http://public.example.vn/hooks'))).toMatchObject({
      statusCode: null,
      error: 'refused: the URL uses plain http to a public address (public.example.vn); use https',
    });
    const strict = createWebhookTransport({ allowPrivate: false, resolveHost: async () => ['127.0.0.1'] });
    const before = receiver.received.length;
    expect((await strict.send(request(`https://127.0.0.1:${receiver.port}/x`))).error).toMatch(
      /^refused: the URL points to a private or local address \(127\.0\.0\.1\)/,
    );
    expect((await strict.send(request(`https://hooks.example.vn:${receiver.port}/x`))).error).toMatch(
      /^refused: the URL resolves to a private or local address \(hooks\.example\.vn → 127\.0\.0\.1\)/,
    );
    expect(receiver.received.length).toBe(before);
  });
});
