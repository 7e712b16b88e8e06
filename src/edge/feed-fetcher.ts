import type { FeedFetcher } from '../domain/ports/feeds.js';
import type { ResolveHost } from '../domain/ports/webhooks.js';
import { isIpAddress, isPublicAddress, relayUrlProblem } from '../domain/relay-url.js';

export interface FetchFeedFetcherOptions {
  /**
   * Resolves a feed's host to check its addresses before the request (DNS over HTTPS on Workers, as for
   * webhooks). Without it only the URL as written is checked.
   */
  readonly resolveHost?: ResolveHost;
  /** The whole request, from resolving to the last byte (default 10 s). */
  readonly timeoutMs?: number;
  /** The `fetch` to use: the Worker's own by default. */
  readonly fetch?: typeof fetch;
}

/**
 * CAP feeds read with `fetch`, for Workers, under the rules of the Node fetcher
 * (`feed-fetcher.node.ts`): only public http(s) URLs as written (no private or loopback IP literal, no
 * `localhost`-like or one-label name: the relay rule), every address of the host checked when a resolver
 * is given, no redirect followed, a timeout, and at most `maxBytes` read from the stream (more is an
 * error, never a cut document). A Worker cannot pin its connection to a checked address as Node does;
 * Cloudflare does not route a Worker's subrequests into private networks, which is what pinning guards.
 */
export function createFetchFeedFetcher(options: FetchFeedFetcherOptions = {}): FeedFetcher {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const request = options.fetch ?? ((input, init) => fetch(input, init));

  return {
    async get(raw, maxBytes) {
      const written = relayUrlProblem(raw);
      if (written) return { error: `refused: the URL ${written.en}` };
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        return { error: 'refused: not a URL' };
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        return { error: `refused: the URL must be http(s), not ${url.protocol}` };
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
        if (options.resolveHost && !isIpAddress(host)) {
          const addresses = await options.resolveHost(host);
          if (addresses.length === 0) return { error: `refused: ${host} has no address` };
          const inner = addresses.find((a) => !isPublicAddress(a));
          if (inner) return { error: `refused: ${host} resolves to a private or local address (${inner})` };
        }
        const res = await request(url.href, {
          method: 'GET',
          headers: {
            accept: 'application/atom+xml, application/rss+xml, application/cap+xml, application/xml;q=0.9',
          },
          redirect: 'manual',
          signal,
        });
        if (res.status < 200 || res.status >= 300) {
          await res.body?.cancel().catch(() => undefined);
          return {
            error:
              res.status >= 300 && res.status < 400
                ? `redirect not followed (HTTP ${res.status} to ${res.headers.get('location') ?? '?'})`
                : `HTTP ${res.status}`,
          };
        }
        return await readAtMost(res, maxBytes);
      } catch (error) {
        return {
          error: signal.aborted
            ? `no complete answer within ${timeoutMs / 1000} s`
            : (error as Error).message || String(error),
        };
      }
    },
  };
}

/** The body as text, read from the stream and abandoned as soon as it passes `maxBytes`. */
async function readAtMost(res: Response, maxBytes: number): Promise<{ body: string } | { error: string }> {
  const reader = res.body?.getReader();
  if (!reader) return { body: '' };
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const chunk = await reader.read();
    if (chunk.done) break;
    bytes += chunk.value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { error: `larger than ${Math.round(maxBytes / 1024)} KB` };
    }
    chunks.push(chunk.value);
  }
  const all = new Uint8Array(bytes);
  let at = 0;
  for (const c of chunks) all.set(c, (at += c.byteLength) - c.byteLength);
  return { body: new TextDecoder().decode(all) };
}
