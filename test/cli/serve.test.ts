import {
  copyFileSync,
  readdirSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import SqliteDatabase from 'better-sqlite3';
import { scryptHasher } from '../../src/crypto/passwords.node.js';
import { speechWav } from '../support/audio-fixtures.js';
import { runLoa, serveLoa, type RunningServer } from '../support/serve.js';
import { multipartFrame } from '../support/multipart-frame.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'loa-cli-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('loa serve with the embedded defaults', () => {
  it('starts on a real port with SQLite, loads the example commune, prints a generated admin password once', async () => {
    const dir = tempDir();
    const env = { DATA_DIR: join(dir, 'data'), MEDIA_DIR: join(dir, 'media'), LOG_LEVEL: 'info' };
    const server = await serveLoa(env);
    try {
      const password = server.output().match(/created user "admin" with password: (\S+)/)?.[1];
      expect(password).toBeDefined();
      // On a line of its own between two rules, not inside a JSON log line.
      const lines = server.output().split('\n');
      const at = lines.indexOf(`First start: created user "admin" with password: ${password}`);
      expect(at, server.output()).toBeGreaterThan(0);
      expect(lines[at - 1]).toMatch(/^={40,}$/);
      expect(lines.filter((l) => l.startsWith('{')).some((l) => l.includes(password!))).toBe(false);
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({
        status: 'ok',
        database: { ok: true },
        ffmpeg: { ok: true },
      });
      expect(health.headers.get('x-content-type-options')).toBe('nosniff');
      expect(health.headers.get('content-security-policy')).toMatch(/default-src 'self'/);

      const login = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password }),
      });
      expect(login.status).toBe(200);
      const { token } = (await login.json()) as { token: string };
      const hamlets = (await (
        await fetch(`${server.url}/api/v1/hamlets?limit=200`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).json()) as { items: { id: string; name: string }[] };
      expect(hamlets.items).toHaveLength(9);
      expect(hamlets.items.map((h) => h.name)).toContain('Thôn Ún Tà');
      const openapi = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
        paths: Record<string, unknown>;
      };
      expect(Object.keys(openapi.paths)).toContain('/api/v1/hamlets/{id}');
      const docs = await (await fetch(`${server.url}/docs`)).text();
      expect(docs).toContain('/api/v1/receivers/{id}/rotate-token');
      expect(server.output()).toMatch(/"requestId":"[^"]+".*"msg":"request"/);

      // The province's administrator, on the next line, sees the example province's two communes.
      const provincePassword = lines[at + 1]?.match(
        /^First start: created user "tinh" with password: (\S+)$/,
      )?.[1];
      expect(provincePassword, server.output()).toBeDefined();
      const tinh = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'tinh', password: provincePassword }),
      });
      const communes = (await (
        await fetch(`${server.url}/api/v1/communes`, {
          headers: { authorization: `Bearer ${((await tinh.json()) as { token: string }).token}` },
        })
      ).json()) as { items: { id: string }[] };
      expect(communes.items.map((c) => c.id).sort()).toEqual(['coc-san', 'quang-kim']);
    } finally {
      await server.stop();
    }
    expect(existsSync(join(dir, 'data', 'loa.sqlite'))).toBe(true);

    // A second start keeps the data and prints no new password.
    const again = await serveLoa(env);
    await again.stop();
    expect(again.output()).not.toMatch(/with password/);
  });
});

/**
 * A recording uploaded from a phone on a weak link: the multipart body sent in ten pieces spread over
 * `seconds`. Resolves with the status the server answered, or 0 when it closed without one.
 */
function slowUpload(server: RunningServer, token: string, audio: Uint8Array, seconds: number) {
  const { contentType, head, tail } = multipartFrame(
    { title: 'Thông báo họp thôn', language: 'vi' },
    { name: 'hop-thon.wav', type: 'audio/wav' },
  );
  const body = Buffer.concat([head, audio, tail]);
  return new Promise<number>((resolve) => {
    const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    // Writes after the server cut the request fail; the answer (or its absence) is what counts.
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
    socket.write(
      `POST /api/v1/announcements HTTP/1.1\r\nHost: loa\r\nAuthorization: Bearer ${token}\r\n` +
        `Content-Type: ${contentType}\r\n` +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
    );
    const piece = Math.ceil(body.length / 10);
    for (let i = 0; i < 10; i++)
      setTimeout(
        () => socket.writable && socket.write(body.subarray(i * piece, (i + 1) * piece)),
        (i * seconds * 1000) / 9,
      );
  });
}

describe('loa start on a weak link', () => {
  it('takes an upload that arrives slowly within REQUEST_TIMEOUT_S, and keeps nothing of one slower than that', async () => {
    const dir = tempDir();
    const media = join(dir, 'media');
    const server = await serveLoa({
      DATA_DIR: join(dir, 'data'),
      MEDIA_DIR: media,
      LOA_ADMIN_PASSWORD: 'admin-password-1',
      REQUEST_TIMEOUT_S: '4',
    });
    try {
      const login = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'admin-password-1' }),
      });
      const { token } = (await login.json()) as { token: string };
      const audio = speechWav();
      const files = () =>
        existsSync(media)
          ? readdirSync(media, { recursive: true, withFileTypes: true })
              .filter((entry) => entry.isFile())
              .map((entry) => join(entry.parentPath, entry.name))
          : [];
      const before = files();

      expect([0, 408]).toContain(await slowUpload(server, token, audio, 8));
      // The cut is seen here before the server has removed what it had written: wait for that.
      await expect.poll(files, { timeout: 5000, interval: 50 }).toEqual(before);
      const list = async () =>
        (
          (await (
            await fetch(`${server.url}/api/v1/announcements`, {
              headers: { authorization: `Bearer ${token}` },
            })
          ).json()) as { items: unknown[] }
        ).items.length;
      const listed = await list();

      expect(await slowUpload(server, token, audio, 1)).toBe(202);
      expect(await list()).toBe(listed + 1);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  }, 60_000);
});

describe('loa start stopping', () => {
  /**
   * SIGTERM while an emergency is on its way in: the booking is answered and committed, and the webhook
   * event it publishes is recorded for the operations centre before the database closes.
   */
  it('answers a request in flight on SIGTERM, and records the webhook event it publishes', async () => {
    const dir = tempDir();
    const env = {
      DATA_DIR: join(dir, 'data'),
      MEDIA_DIR: join(dir, 'media'),
      LOA_ADMIN_PASSWORD: 'admin-password-1',
      SHUTDOWN_TIMEOUT_S: '20',
      LOG_LEVEL: 'info',
    };
    const server = await serveLoa(env);
    const file = new SqliteDatabase(join(env.DATA_DIR, 'loa.sqlite'));
    try {
      // The operations centre's endpoint, written as registration would (its address is not resolved here).
      const { id: provinceId } = file.prepare('select id from provinces').get() as { id: string };
      file
        .prepare(
          `insert into webhook_endpoints (id, province_id, url, events, description, secret_sealed, created_by, created_at)
           values ('ops', ?, 'https://ops.example.vn/loa', '["emergency.sent"]', null, 'sealed', 'test', ?)`,
        )
        .run(provinceId, new Date().toISOString());
      const login = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', connection: 'close' },
        body: JSON.stringify({ username: 'admin', password: 'admin-password-1' }),
      });
      const { token } = (await login.json()) as { token: string };

      const body = JSON.stringify({
        relay: { url: 'https://radio.example.vn/lu-quet', durationS: 60 },
        hamletIds: 'all',
        priority: 'emergency',
      });
      const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
      let answer = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (answer += chunk));
      socket.on('error', () => undefined);
      const closed = new Promise<void>((done) => socket.on('close', () => done()));
      socket.write(
        `POST /api/v1/broadcasts HTTP/1.1\r\nHost: loa\r\nAuthorization: Bearer ${token}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `Expect: 100-continue\r\nConnection: close\r\n\r\n`,
      );
      const until = async (done: () => boolean) => {
        for (let i = 0; !done(); i++) {
          expect(i, server.output()).toBeLessThan(500);
          await new Promise((r) => setTimeout(r, 10));
        }
      };
      // The server has taken the request (it asks for the body); the body comes once it has begun to stop.
      await until(() => answer.startsWith('HTTP/1.1 100 Continue'));
      const stopped = server.stop();
      await until(() => server.output().includes('shutting down'));
      socket.write(body);
      await closed;
      await stopped;

      const final = answer.slice(answer.indexOf('\r\n\r\n') + 4);
      expect(final, server.output()).toMatch(/^HTTP\/1\.1 201 /);
      const booked = JSON.parse(final.slice(final.indexOf('\r\n\r\n') + 4)) as { id: string };
      const events = file.prepare('select type, dedupe_key from webhook_events').all();
      expect(events).toEqual([{ type: 'emergency.sent', dedupe_key: `emergency.sent:${booked.id}` }]);
      expect(server.output()).not.toContain('webhook event not recorded');
    } finally {
      file.close();
      await server.stop();
    }
  }, 60_000);
});

describe('loa commands', () => {
  it('exits non-zero naming the variable for a bad configuration', async () => {
    const result = await runLoa(['serve'], { PORT: '99999' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/PORT: must be between 0 and 65535 \(got "99999"\)/);
  });

  it('refuses to start on a malformed commune file, naming file, path and problem', async () => {
    const dir = tempDir();
    const schedules = join(dir, 'schedules');
    mkdirSync(schedules);
    const file = JSON.parse(readFileSync('schedules/coc-san.json', 'utf8'));
    file.hamlets[1].languages = ['vi', 'klingon'];
    writeFileSync(join(schedules, 'coc-san.json'), JSON.stringify(file));
    const result = await runLoa(['serve'], { SCHEDULES_DIR: schedules, DATA_DIR: join(dir, 'data') });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /coc-san\.json: hamlets\[1\]\.languages\[1\]: unknown language code "klingon"/,
    );
  });

  it('migrates, seeds, manages users and backs up the SQLite database', async () => {
    const dir = tempDir();
    const env = { DATA_DIR: join(dir, 'data'), LOA_ADMIN_PASSWORD: 'admin-password-1', LOG_LEVEL: 'warn' };
    expect((await runLoa(['migrate'], env)).stdout).toMatch(/Applied: 0001-initial/);
    expect((await runLoa(['migrate'], env)).stdout).toMatch(/up to date/);
    expect((await runLoa(['seed'], env)).code).toBe(0);
    const add = await runLoa(
      [
        'user',
        'add',
        'truong-un-ta',
        '--role',
        'hamlet_head',
        '--hamlet',
        'un-ta',
        '--name',
        'Trưởng thôn Ún Tà',
      ],
      {
        ...env,
        LOA_PASSWORD: 'mat-khau-dai-du',
      },
    );
    expect(add.code, add.stderr).toBe(0);
    const list = await runLoa(['user', 'list'], env);
    expect(list.stdout).toMatch(/truong-un-ta\thamlet_head\tun-ta\tactive\tTrưởng thôn Ún Tà/);
    const passwd = await runLoa(['user', 'passwd', 'truong-un-ta'], env);
    expect(passwd.stdout).toMatch(/New password: \S{10,}/);
    // The way back for an admin who forgot the password, the commune's and the province's alike.
    const hashOf = (username: string) => {
      const db = new SqliteDatabase(join(env.DATA_DIR, 'loa.sqlite'), { readonly: true });
      try {
        return (db.prepare('select password_hash from users where username = ?').get(username) as any)
          .password_hash as string;
      } finally {
        db.close();
      }
    };
    for (const username of ['admin', 'tinh']) {
      const before = hashOf(username);
      const reset = await runLoa(['user', 'passwd', username], { ...env, LOA_PASSWORD: 'mot-mat-khau-moi' });
      expect(reset.code, reset.stderr).toBe(0);
      expect(reset.stdout).toBe(`Password changed for ${username}; open sessions were signed out.\n`);
      expect(await scryptHasher.verify('mot-mat-khau-moi', hashOf(username))).toBe(true);
      expect(hashOf(username)).not.toBe(before);
    }
    const nobody = await runLoa(['user', 'passwd', 'khong-co-ai'], {
      ...env,
      LOA_PASSWORD: 'mot-mat-khau-moi',
    });
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toBe('No user "khong-co-ai".\n');
    const bad = await runLoa(['user', 'add', 'x', '--role', 'king'], env);
    expect(bad.code).toBe(1);
    // The API's rules hold on the terminal too, and a refusal is one line an operator can act on.
    const short = await runLoa(['user', 'passwd', 'truong-un-ta'], { ...env, LOA_PASSWORD: 'short' });
    expect(short.code).toBe(1);
    expect(short.stderr).toBe('LOA_PASSWORD: must be at least 10 characters\n');
    const badName = await runLoa(['user', 'add', 'x y!', '--role', 'admin'], {
      ...env,
      LOA_PASSWORD: 'mat-khau-dai-du',
    });
    expect(badName.code).toBe(1);
    expect(badName.stderr).toMatch(/^username: may contain letters, digits/);
    const taken = await runLoa(['user', 'add', 'truong-un-ta', '--role', 'admin'], {
      ...env,
      LOA_PASSWORD: 'mat-khau-dai-du',
    });
    expect(taken.code).toBe(1);
    expect(taken.stderr).toBe('The username "truong-un-ta" is taken.\n');

    const target = join(dir, 'backup.sqlite');
    const backup = await runLoa(['backup', target], env);
    expect(backup.code, backup.stderr).toBe(0);
    const copy = new SqliteDatabase(target, { readonly: true });
    const users = copy.prepare('select username from users order by username').all() as {
      username: string;
    }[];
    copy.close();
    expect(users.map((u) => u.username)).toEqual(['admin', 'tinh', 'truong-un-ta']);
    expect(backup.stdout).toContain('secret.key');

    // Onto the database itself: refused, and the database is whole.
    const onto = await runLoa(['backup', join(env.DATA_DIR, 'loa.sqlite')], env);
    expect(onto.code).toBe(1);
    expect(onto.stderr).toContain('is the database itself');
    const live = new SqliteDatabase(join(env.DATA_DIR, 'loa.sqlite'), { readonly: true });
    expect(live.pragma('integrity_check', { simple: true })).toBe('ok');
    live.close();
  });

  it('backs up a database of some size while the service keeps writing to it', async () => {
    const dir = tempDir();
    const env = { DATA_DIR: join(dir, 'data'), LOA_ADMIN_PASSWORD: 'admin-password-1', LOG_LEVEL: 'warn' };
    expect((await runLoa(['seed'], env)).code).toBe(0);
    const db = new SqliteDatabase(join(env.DATA_DIR, 'loa.sqlite'));
    db.pragma('journal_mode = WAL');
    // 40 MB of audit rows: thousands of pages, so that a copy page by page is still going at the next write.
    const insert = db.prepare(
      `insert into audit_log (id, at, actor_id, actor_kind, action, target_type, target_id, details)
       values (?, '2026-11-27T00:00:00.000Z', null, 'system', 'test.filler', 'test', ?, ?)`,
    );
    db.transaction(() => {
      for (let i = 0; i < 10_000; i++) insert.run(`filler-${i}`, String(i), 'x'.repeat(4000));
    })();
    let written = 0;
    const writer = setInterval(() => insert.run(`live-${++written}`, 'live', '{}'), 2);
    try {
      const target = join(dir, 'backup.sqlite');
      const backup = await runLoa(['backup', target], env);
      expect(backup.code, backup.stderr).toBe(0);
      expect(written).toBeGreaterThan(0);
      const copy = new SqliteDatabase(target, { readonly: true });
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      const { n } = copy.prepare(`select count(*) as n from audit_log where id like 'filler-%'`).get() as {
        n: number;
      };
      copy.close();
      expect(n).toBe(10_000);
      expect(readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
    } finally {
      clearInterval(writer);
      db.close();
    }
  });
});
