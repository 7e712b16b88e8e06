import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { startRealServer, type RealServer } from '../support/real-server.js';
import { signInPage, type CookieSession } from '../e2e/support.js';

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  /** Bytes of the body written before the answer came. */
  readonly sent: number;
}

/**
 * Posts `totalBytes` of urlencoded form chunked, without Content-Length, from one reused buffer (so the
 * client holds no more than 64 KB), and stops writing once the server answers.
 */
function postChunked(
  server: RealServer,
  path: string,
  headers: Record<string, string>,
  totalBytes: number,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}${path}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    });
    let answered = false;
    let sent = 0;
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
          sent,
        }),
      );
      res.on('error', reject);
    });
    // Once the server has answered, it drops the rest of the body with the connection.
    req.on('error', (error) => (answered ? undefined : reject(error)));
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const pump = () => {
      while (!answered && sent < totalBytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    req.write('title=');
    pump();
  });
}

/**
 * A signed-in browser session posting a huge urlencoded body without the CSRF header: the CSRF check must
 * not read it whole. Over a real server, in this process, so the server's memory is measured here.
 */
describe('body limits before the CSRF check', () => {
  let h: Harness;
  let server: RealServer;
  let session: CookieSession;
  const body = 100 * 1024 * 1024;

  beforeAll(async () => {
    h = await createHarness();
    server = await startRealServer(h);
    session = await signInPage(h, 'admin');
  });
  afterAll(async () => {
    await server?.stop();
    await h?.close();
  });

  const MB = 1024 * 1024;

  async function postHuge(path: string, accept: string): Promise<Answer> {
    const before = process.memoryUsage().rss;
    const answer = await postChunked(
      server,
      path,
      { cookie: session.cookie, origin: server.url, accept },
      body,
    );
    const grown = process.memoryUsage().rss - before;
    expect(grown, `the server's memory grew by ${Math.round(grown / MB)} MB`).toBeLessThan(30 * MB);
    expect(answer.sent).toBeLessThan(body);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    return answer;
  }

  it('a page route answers 413 with the Vietnamese page', async () => {
    const answer = await postHuge('/quan-tri/thon', 'text/html');
    expect(answer.status).toBe(413);
    expect(answer.contentType).toMatch(/^text\/html/);
    expect(answer.body).toContain('Dữ liệu gửi lên quá lớn');
  });

  it('an API route answers 413 problem+json', async () => {
    const answer = await postHuge('/api/v1/hamlets', 'application/json');
    expect(answer.status).toBe(413);
    expect(answer.contentType).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 413, detailVi: /quá lớn/ });
  });

  it('a path that is neither answers 413 problem+json', async () => {
    const answer = await postHuge('/khong-co-gi', 'application/json');
    expect(answer.status).toBe(413);
    expect(answer.contentType).toMatch(/^application\/problem\+json/);
  });

  it('a page form under the limit still works', async () => {
    const res = await fetch(`${server.url}/quan-tri/thon`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: session.cookie,
        origin: server.url,
        accept: 'text/html',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ _csrf: session.csrf, name: 'Thôn Giới Hạn', 'order-vi': '1' }).toString(),
    });
    expect(res.status, await res.clone().text()).toBe(303);
  });
});
