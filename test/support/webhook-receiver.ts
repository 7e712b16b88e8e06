import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** One request as the operations centre's server received it: raw body, lower-case headers. */
export interface ReceivedHook {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** How the test receiver answers one request. */
export type Answer = number | ((res: ServerResponse) => void);

/**
 * A stand-in for a province's operations centre (a third-party server we cannot reach): a real HTTP
 * server on the loopback address that keeps every request and answers with the next of `answers`
 * (then 200).
 */
export async function startWebhookReceiver() {
  const received: ReceivedHook[] = [];
  const answers: Answer[] = [];
  let delayMs = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const answer = answers.shift() ?? 200;
      const send = () => {
        if (typeof answer === 'function') return answer(res);
        res.writeHead(answer, { 'content-type': 'text/plain' });
        res.end(answer >= 400 ? 'trung tâm đang bảo trì' : 'ok');
      };
      if (delayMs > 0) setTimeout(send, delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path = '/hooks') => `http://127.0.0.1:${port}${path}`,
    received,
    /** Queues how the next requests are answered. */
    answer: (...next: Answer[]) => void answers.push(...next),
    /** Answers every request this much later (to widen a race between two senders). */
    delay: (ms: number) => void (delayMs = ms),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

type Verify = (secret: string, headers: IncomingHttpHeaders, body: string, nowS?: number) => boolean;

/**
 * The verification snippet of the README, run as the operators are told to run it: the code block that
 * starts with `// verify-webhook.mjs`, written to a file and imported. A README whose snippet stops
 * verifying Loa's signatures fails the webhook tests.
 */
export async function readmeVerifier(): Promise<Verify> {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = /```js\n(\/\/ verify-webhook\.mjs[\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no ```js block starting with "// verify-webhook.mjs"');
  const file = join(mkdtempSync(join(tmpdir(), 'loa-verify-')), 'verify-webhook.mjs');
  writeFileSync(file, block);
  const mod = (await import(pathToFileURL(file).href)) as { verifyWebhook?: Verify };
  if (!mod.verifyWebhook) throw new Error('the README snippet exports no verifyWebhook');
  return mod.verifyWebhook;
}
