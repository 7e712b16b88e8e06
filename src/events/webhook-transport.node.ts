import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { ResolveHost, WebhookTransport } from '../domain/ports/webhooks.js';
import { isIpAddress } from '../domain/relay-url.js';
import { webhookAddressProblem, webhookUrlProblem } from '../domain/webhook.js';

/** Every address of a host name by the system resolver (`/etc/hosts`, DNS; IPv4 and IPv6). */
export const systemResolveHost: ResolveHost = async (hostname) =>
  (await lookup(hostname, { all: true })).map((a) => a.address);

export interface WebhookTransportOptions {
  /** `WEBHOOK_ALLOW_PRIVATE`: the province's own network may be reached, over http too. */
  readonly allowPrivate: boolean;
  readonly resolveHost?: ResolveHost;
  /** The whole attempt, from resolving to the end of the answer (default 10 s). */
  readonly timeoutMs?: number;
  /** Bytes of the answer read at most (default 64 KB); the rest is not waited for. */
  readonly maxResponseBytes?: number;
}

/** Hands the connection the address that was checked, whatever a resolver would say now. */
export const pinnedLookup =
  (address: string, family: 4 | 6): LookupFunction =>
  (_hostname, options, callback) => {
    if (options.all)
      (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };

/**
 * Resolves a URL's host once, within `timeoutMs`, and checks every address by the kernel's rule (a name
 * that points into a local network is refused after DNS, not only as written): the address to connect
 * to, or why not. Shared by webhook deliveries and CAP feed polling.
 */
export async function resolveChecked(
  url: URL,
  rule: { readonly allowPrivate: boolean },
  resolveHost: ResolveHost,
  timeoutMs: number,
): Promise<{ readonly address: string; readonly family: 4 | 6 } | { readonly error: string }> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: readonly string[];
  let resolving: ReturnType<typeof setTimeout> | undefined;
  try {
    // The timeout counts from the start: a resolver that hangs uses up the attempt's time too.
    addresses = isIpAddress(host)
      ? [host]
      : await Promise.race([
          resolveHost(host),
          new Promise<never>((_, reject) => {
            resolving = setTimeout(
              () => reject(new Error(`no answer within ${timeoutMs / 1000} s`)),
              timeoutMs,
            );
          }),
        ]);
  } catch (error) {
    return { error: `the host ${host} could not be resolved (${(error as Error).message})` };
  } finally {
    clearTimeout(resolving);
  }
  const resolved = webhookAddressProblem(url.href, addresses, rule);
  if (resolved) return { error: `refused: the URL ${resolved.en}` };
  const address = addresses[0]!;
  return { address, family: ipaddr.parse(address).kind() === 'ipv6' ? 6 : 4 };
}

/**
 * Webhook deliveries over Node's http(s): the host is resolved once, every address checked by the
 * kernel's rule (so a name that points into a local network is refused after DNS, not only as
 * written), and the connection goes to the checked address through a pinned `lookup` (TLS still checks
 * the certificate against the URL's name). No redirect is followed, no connection is reused, the attempt
 * stops after the timeout, and at most `maxResponseBytes` of the answer are read.
 */
export function createWebhookTransport(options: WebhookTransportOptions): WebhookTransport {
  const rule = { allowPrivate: options.allowPrivate };
  const resolveHost = options.resolveHost ?? systemResolveHost;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxResponseBytes ?? 64 * 1024;

  return {
    async send(request) {
      const started = performance.now();
      const result = (statusCode: number | null, error: string | null) => ({
        statusCode,
        durationMs: Math.round(performance.now() - started),
        error,
      });
      const written = webhookUrlProblem(request.url, rule);
      if (written) return result(null, `refused: the URL ${written.en}`);
      const url = new URL(request.url);
      const checked = await resolveChecked(url, rule, resolveHost, timeoutMs);
      if ('error' in checked) return result(null, checked.error);
      const { address, family } = checked;

      return new Promise((resolve) => {
        let settled = false;
        const finish = (statusCode: number | null, error: string | null) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          req.destroy();
          resolve(result(statusCode, error));
        };
        const client = url.protocol === 'https:' ? https : http;
        const req = client.request(url, {
          method: 'POST',
          headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
          lookup: pinnedLookup(address, family),
          agent: false,
        });
        const timer = setTimeout(
          () => finish(null, `no complete answer within ${timeoutMs / 1000} s`),
          Math.max(0, timeoutMs - (performance.now() - started)),
        );
        req.on('error', (error) => finish(null, error.message));
        req.on('response', (res) => {
          const status = res.statusCode ?? 0;
          let bytes = 0;
          let excerpt = '';
          const done = () => {
            if (status >= 200 && status < 300) return finish(status, null);
            if (status >= 300 && status < 400) {
              return finish(
                status,
                `redirect not followed (HTTP ${status} to ${res.headers.location ?? '?'})`,
              );
            }
            finish(status, `HTTP ${status}${excerpt ? `: ${excerpt.trim().slice(0, 200)}` : ''}`);
          };
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            bytes += Buffer.byteLength(chunk);
            if (excerpt.length < 200) excerpt += chunk.slice(0, 200 - excerpt.length);
            // Enough of an answer: its status is all that counts.
            if (bytes > maxBytes) done();
          });
          res.on('end', done);
          res.on('error', (error) => finish(status || null, error.message));
        });
        req.end(request.body);
      });
    },
  };
}
