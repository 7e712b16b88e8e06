import type { ResolveHost, WebhookTransport } from '../domain/ports/webhooks.js';
import { isIpAddress } from '../domain/relay-url.js';
import { webhookAddressProblem, webhookUrlProblem } from '../domain/webhook.js';

const recordType = { A: 1, AAAA: 28 } as const;

/** Rejects once `signal` is aborted. */
const untilAborted = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));

/**
 * Every address of a host name by DNS over HTTPS (the JSON form of RFC 8484): a Worker has no system
 * resolver to ask.
 */
export const dnsOverHttps =
  (endpoint = 'https://cloudflare-dns.com/dns-query'): ResolveHost =>
  async (hostname) => {
    const ask = async (type: keyof typeof recordType) => {
      const res = await fetch(`${endpoint}?name=${encodeURIComponent(hostname)}&type=${type}`, {
        headers: { accept: 'application/dns-json' },
      });
      if (!res.ok) throw new Error(`DNS over HTTPS answered ${res.status}`);
      const body = (await res.json()) as { Answer?: readonly { type: number; data: string }[] };
      return (body.Answer ?? []).filter((a) => a.type === recordType[type]).map((a) => a.data);
    };
    const [v4, v6] = await Promise.all([ask('A'), ask('AAAA')]);
    return [...v4, ...v6];
  };

/**
 * Webhook deliveries from a Worker: the same checks as the Node transport (the URL as written, then
 * every DNS answer of its host), then `fetch` with no redirect followed, within the timeout, reading at
 * most `maxResponseBytes` of the answer. A Worker cannot pin the connection to the address it checked as
 * Node does; Cloudflare does not route a Worker's subrequests into private networks, which is what the
 * pinning guards against.
 */
export function createFetchWebhookTransport(options: {
  readonly resolveHost: ResolveHost;
  readonly timeoutMs?: number;
  readonly maxResponseBytes?: number;
}): WebhookTransport {
  const rule = { allowPrivate: false };
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxResponseBytes ?? 64 * 1024;

  return {
    async send(request) {
      const started = Date.now();
      const result = (statusCode: number | null, error: string | null) => ({
        statusCode,
        durationMs: Date.now() - started,
        error,
      });
      const written = webhookUrlProblem(request.url, rule);
      if (written) return result(null, `refused: the URL ${written.en}`);
      const signal = AbortSignal.timeout(timeoutMs);
      const host = new URL(request.url).hostname.replace(/^\[(.*)\]$/, '$1');
      let addresses: readonly string[];
      try {
        // The resolver's own fetch has no deadline: one that hangs must use up the attempt's time, as
        // in Node, not hold the Cron Trigger's run.
        addresses = isIpAddress(host)
          ? [host]
          : await Promise.race([options.resolveHost(host), untilAborted(signal)]);
      } catch (error) {
        const why = signal.aborted ? `no answer within ${timeoutMs / 1000} s` : (error as Error).message;
        return result(null, `the host ${host} could not be resolved (${why})`);
      }
      try {
        const resolved = webhookAddressProblem(request.url, addresses, rule);
        if (resolved) return result(null, `refused: the URL ${resolved.en}`);
        const res = await fetch(request.url, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
          redirect: 'manual',
          signal,
        });
        let excerpt = '';
        let bytes = 0;
        const reader = res.body?.getReader();
        const decoder = new TextDecoder();
        // Enough of an answer: its status is all that counts.
        while (reader && bytes <= maxBytes) {
          const chunk = await reader.read();
          if (chunk.done) break;
          bytes += chunk.value.byteLength;
          if (excerpt.length < 200) excerpt += decoder.decode(chunk.value, { stream: true }).slice(0, 200);
        }
        await reader?.cancel().catch(() => undefined);
        if (res.status >= 200 && res.status < 300) return result(res.status, null);
        if (res.status >= 300 && res.status < 400) {
          return result(
            res.status,
            `redirect not followed (HTTP ${res.status} to ${res.headers.get('location') ?? '?'})`,
          );
        }
        return result(res.status, `HTTP ${res.status}${excerpt ? `: ${excerpt.trim().slice(0, 200)}` : ''}`);
      } catch (error) {
        return signal.aborted
          ? result(null, `no complete answer within ${timeoutMs / 1000} s`)
          : result(null, (error as Error).message);
      }
    },
  };
}
