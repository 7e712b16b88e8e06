import http from 'node:http';
import https from 'node:https';
import type { FeedFetcher } from '../domain/ports/feeds.js';
import type { ResolveHost } from '../domain/ports/webhooks.js';
import { relayUrlProblem } from '../domain/relay-url.js';
import { pinnedLookup, resolveChecked, systemResolveHost } from './webhook-transport.node.js';

export interface FeedFetcherOptions {
  /** `CAP_FEED_ALLOW_PRIVATE`: feeds on the province's own network. */
  readonly allowPrivate: boolean;
  readonly resolveHost?: ResolveHost;
  /** The whole request, from resolving to the last byte (default 10 s). */
  readonly timeoutMs?: number;
}

/**
 * CAP feeds over Node's http(s) with the checks of webhook deliveries: the URL as written must be a
 * public http(s) address (the relay rule), the host is resolved once and every address checked, the
 * connection goes to the checked address, no redirect is followed, and a body past `maxBytes` or the
 * timeout is an error.
 */
export function createFeedFetcher(options: FeedFetcherOptions): FeedFetcher {
  const rule = { allowPrivate: options.allowPrivate, publicHttp: true };
  const resolveHost = options.resolveHost ?? systemResolveHost;
  const timeoutMs = options.timeoutMs ?? 10_000;

  return {
    async get(raw, maxBytes) {
      const started = performance.now();
      const written = options.allowPrivate ? null : relayUrlProblem(raw);
      if (written) return { error: `refused: the URL ${written.en}` };
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        return { error: 'refused: not a URL' };
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        return { error: `refused: the URL must be http(s), not ${url.protocol}` };
      const checked = await resolveChecked(url, rule, resolveHost, timeoutMs);
      if ('error' in checked) return checked;
      return new Promise((resolve) => {
        let settled = false;
        const finish = (answer: { body: string } | { error: string }) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          req.destroy();
          resolve(answer);
        };
        const client = url.protocol === 'https:' ? https : http;
        const req = client.request(url, {
          method: 'GET',
          headers: {
            accept: 'application/atom+xml, application/rss+xml, application/cap+xml, application/xml;q=0.9',
          },
          lookup: pinnedLookup(checked.address, checked.family),
          agent: false,
        });
        const timer = setTimeout(
          () => finish({ error: `no complete answer within ${timeoutMs / 1000} s` }),
          Math.max(0, timeoutMs - (performance.now() - started)),
        );
        req.on('error', (error) => finish({ error: error.message }));
        req.on('response', (res) => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300)
            return finish({
              error:
                status >= 300 && status < 400
                  ? `redirect not followed (HTTP ${status} to ${res.headers.location ?? '?'})`
                  : `HTTP ${status}`,
            });
          const chunks: Buffer[] = [];
          let bytes = 0;
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.byteLength;
            if (bytes > maxBytes) return finish({ error: `larger than ${Math.round(maxBytes / 1024)} KB` });
            chunks.push(chunk);
          });
          res.on('end', () => finish({ body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', (error) => finish({ error: error.message }));
        });
        req.end();
      });
    },
  };
}
