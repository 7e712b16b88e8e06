import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { D1Binding } from '../../src/db/d1/binding.js';
import { connectD1 } from '../../src/db/d1/connect.js';
import type { Repositories } from '../../src/domain/ports/repositories.js';
import { createEdgeRuntime, type Env } from '../../src/worker.js';
import { adminPassword, createHarness, type Harness } from './support/harness.js';

const testEnv = env as unknown as Env;

/** What a booking in Ún Tà changes, as stored. */
async function schedule(h: Harness) {
  const db = h.runtime.db.kysely;
  const broadcasts = await db.selectFrom('broadcasts').select('id').orderBy('id').execute();
  const occurrences = await db.selectFrom('occurrences').select(['id', 'status']).orderBy('id').execute();
  const version = await db
    .selectFrom('hamlets')
    .select('schedule_version')
    .where('id', '=', 'un-ta')
    .executeTakeFirstOrThrow();
  const audit = await db
    .selectFrom('audit_log')
    .select('id')
    .where('action', '=', 'broadcast.create')
    .execute();
  return { broadcasts, occurrences, version: Number(version.schedule_version), audit: audit.length };
}

const booking = (priority: 'normal' | 'priority', path: string) => ({
  relay: { url: `https://radio.example.vn/live/${path}`, durationS: 300 },
  hamletIds: ['un-ta'],
  at: '2026-11-28T09:00:00+07:00',
  priority,
});

describe('units of work on D1', () => {
  it('leave nothing behind when they fail between two writes', async () => {
    let crash = false;
    const h = await createHarness(
      'd1',
      {},
      {
        decorateRepositories: (r: Repositories) => ({
          ...r,
          audit: {
            ...r.audit,
            appendAudit: async (record) => {
              if (crash) throw new Error('crash between the writes and the audit row');
              return r.audit.appendAudit(record);
            },
          },
        }),
      },
    );
    const post = (body: unknown) =>
      h.request('/api/v1/broadcasts', { method: 'POST', token: h.tokens.officer, json: body });
    expect((await post(booking('normal', 'a'))).status).toBe(201);
    const before = await schedule(h);

    // The priority booking writes its broadcast, its occurrence, the displacement of the normal one and
    // the version bump, then fails on the audit row: the journal undoes all of it.
    crash = true;
    expect((await post(booking('priority', 'b'))).status).toBe(500);
    expect(await schedule(h)).toEqual(before);
    const lock = await h.runtime.db.kysely
      .selectFrom('loa_d1_lock' as never)
      .select(['holder' as never])
      .executeTakeFirst();
    expect(lock).toEqual({ holder: null });

    crash = false;
    const again = await post(booking('priority', 'b'));
    expect(again.status).toBe(201);
    expect(((await again.json()) as { displaced: unknown[] }).displaced).toHaveLength(1);
  });

  it('roll back a holder that died mid-way once its lease has run out, before the next unit runs', async () => {
    const h = await createHarness();
    const nameOf = async (id: string) =>
      (await h.runtime.db.kysely.selectFrom('hamlets').select('name').where('id', '=', id).executeTakeFirst())
        ?.name;
    const thon2 = await nameOf('thon-2');
    // A Worker that took the lock, wrote a hamlet and was killed before committing.
    const dead = connectD1(testEnv.DB, { leaseMs: 50 });
    await dead.journal.installJournal({ readOnly: true });
    await dead.journal.acquire('dead-worker', true);
    await dead.journal.guarded('dead-worker', {
      sql: "insert into hamlets (id, commune_id, name, languages, created_at, updated_at) values ('ghost', 'coc-san', 'Thôn ma', '[\"vi\"]', '2026-11-27T01:00:00.000Z', '2026-11-27T01:00:00.000Z')",
      params: [],
    });
    await dead.journal.guarded('dead-worker', {
      sql: "update hamlets set name = 'Bị sửa dở' where id = 'thon-2'",
      params: [],
    });

    const res = await h.request('/api/v1/hamlets', {
      method: 'POST',
      token: h.tokens.admin,
      json: { name: 'Thôn mới', languages: ['vi'] },
    });
    expect(res.status).toBe(201);
    const names = await h.runtime.db.kysely.selectFrom('hamlets').select(['id', 'name']).execute();
    expect(names.find((n) => n.id === 'ghost')).toBeUndefined();
    expect(await nameOf('thon-2')).toBe(thon2);
    expect(names.some((n) => n.name === 'Thôn mới')).toBe(true);
  });

  it('roll back a dead holder’s changes and deletions before a new deployment migrates', async () => {
    const h = await createHarness();
    const count = async (sql: string) => (await testEnv.DB.prepare(sql).all<{ n: number }>()).results[0]?.n;
    const thon2 =
      "select count(*) as n from hamlets where id = 'thon-2' and name = 'Thôn số 2 (dữ liệu mẫu)'";
    const audit = 'select count(*) as n from audit_log';
    expect(await count(thon2)).toBe(1);
    const audited = await count(audit);
    expect(audited).toBeGreaterThan(0);
    // A Worker that took the lock, changed a hamlet, deleted the audit trail and was killed.
    const dead = connectD1(testEnv.DB, { leaseMs: 50 });
    await dead.journal.installJournal({ readOnly: true });
    await dead.journal.acquire('dead-worker', true);
    await dead.journal.guarded('dead-worker', {
      sql: "update hamlets set name = 'Bị sửa dở' where id = 'thon-2'",
      params: [],
    });
    await dead.journal.guarded('dead-worker', { sql: 'delete from audit_log', params: [] });
    await new Promise((resolve) => setTimeout(resolve, 100));

    // The first isolate of a deployment that brings a migration takes the lock to migrate, having read
    // nothing of the schema yet.
    const deployment = connectD1(testEnv.DB);
    await deployment.journal.exclusive(async () => undefined);
    expect(await count(thon2)).toBe(1);
    expect(await count(audit)).toBe(audited);
    expect(await count('select count(*) as n from "loa_undo__audit_log"')).toBe(0);
    const lock = await testEnv.DB.prepare('select holder from loa_d1_lock where id = 1').all();
    expect(lock.results).toEqual([{ holder: null }]);
    const fresh = await createEdgeRuntime(testEnv);
    const res = await fresh.app.request('/api/v1/hamlets', {
      method: 'POST',
      headers: { authorization: `Bearer ${h.tokens.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Thôn sau khi khôi phục', languages: ['vi'] }),
    });
    expect(res.status).toBe(201);
  });

  it('let a new isolate start on an up-to-date database while a unit of work holds the write lock', async () => {
    const h = await createHarness();
    const busy = connectD1(testEnv.DB);
    await busy.journal.installJournal({ readOnly: true });
    await busy.journal.acquire('long-unit', true);
    try {
      const started = Date.now();
      const fresh = await createEdgeRuntime(testEnv);
      expect(Date.now() - started).toBeLessThan(5_000);
      const me = await fresh.app.request('/api/v1/auth/me', {
        headers: { authorization: `Bearer ${h.tokens.admin}` },
      });
      expect(me.status).toBe(200);
    } finally {
      await busy.journal.commit('long-unit');
    }
  });

  it('hold the booking rules under concurrent requests: ten identical bookings, one 201', async () => {
    const h = await createHarness();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        h.request('/api/v1/broadcasts', {
          method: 'POST',
          token: h.tokens.officer,
          json: booking('normal', 'x'),
        }),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, ...Array(9).fill(409)]);
    expect((await schedule(h)).broadcasts).toHaveLength(1);
  });
});

/**
 * A D1 binding that fails every call while `down` is set, as D1 does when it cannot be reached, and the
 * first batch `failOnce` picks by its statements' SQL.
 */
function flakyD1(real: D1Binding, failOnce?: (sql: readonly string[]) => boolean) {
  const state = { down: false };
  const fail = () => Promise.reject(new Error('D1_ERROR: Network connection lost.'));
  type Statement = ReturnType<D1Binding['prepare']>;
  const reals = new WeakMap<Statement, { statement: Statement; sql: string }>();
  const wrap = (statement: Statement, sql: string): Statement => {
    const wrapped: Statement = {
      bind: (...values) => wrap(statement.bind(...values), sql),
      all: () => (state.down ? fail() : statement.all()),
      run: () => (state.down ? fail() : statement.run()),
    };
    reals.set(wrapped, { statement, sql });
    return wrapped;
  };
  const binding: D1Binding = {
    prepare: (sql) => wrap(real.prepare(sql), sql),
    batch: (statements) => {
      const sent = statements.map((s) => reals.get(s)!);
      if (failOnce?.(sent.map((s) => s.sql))) {
        failOnce = undefined;
        return fail();
      }
      return state.down ? fail() : real.batch(sent.map((s) => s.statement));
    },
  };
  return { binding, state };
}

describe('D1 and R2 errors', () => {
  it('answer 503 problems with Retry-After, keep nothing, and the Worker serves on', async () => {
    const h = await createHarness();
    const flaky = flakyD1(testEnv.DB);
    const runtime = await createEdgeRuntime({ ...testEnv, DB: flaky.binding });
    const post = () =>
      runtime.app.request('/api/v1/hamlets', {
        method: 'POST',
        headers: { authorization: `Bearer ${h.tokens.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Thôn khi mất mạng', languages: ['vi'] }),
      });
    flaky.state.down = true;
    const res = await post();
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('retry-after')).toBeTruthy();
    const problem = (await res.json()) as { detailVi: string };
    expect(problem.detailVi).toMatch(/chưa có gì được lưu/);
    flaky.state.down = false;
    const names = await h.runtime.db.kysely.selectFrom('hamlets').select('name').execute();
    expect(names.some((n) => n.name === 'Thôn khi mất mạng')).toBe(false);
    expect((await post()).status).toBe(201);
  });

  it('roll back a unit whose commit fails, and free the write lock at once', async () => {
    const h = await createHarness();
    const flaky = flakyD1(testEnv.DB, (sql) => sql.includes('delete from loa_undo'));
    const runtime = await createEdgeRuntime({ ...testEnv, DB: flaky.binding });
    const post = (name: string) =>
      runtime.app.request('/api/v1/hamlets', {
        method: 'POST',
        headers: { authorization: `Bearer ${h.tokens.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name, languages: ['vi'] }),
      });
    expect((await post('Thôn lưu hỏng')).status).toBe(503);
    const lock = await testEnv.DB.prepare('select holder from loa_d1_lock where id = 1').all();
    expect(lock.results).toEqual([{ holder: null }]);
    const names = await h.runtime.db.kysely.selectFrom('hamlets').select('name').execute();
    expect(names.some((n) => n.name === 'Thôn lưu hỏng')).toBe(false);
    // Not after the lock's 30 s lease: at once.
    const started = Date.now();
    expect((await post('Thôn lưu lại')).status).toBe(201);
    expect(Date.now() - started).toBeLessThan(5_000);

    // The lock taken, then the unit's start fails: it is let go of at once too.
    const starting = flakyD1(testEnv.DB, (sql) =>
      sql.includes('update loa_d1_lock set journal = 1 where id = 1'),
    );
    const other = await createEdgeRuntime({ ...testEnv, DB: starting.binding });
    const refused = await other.app.request('/api/v1/hamlets', {
      method: 'POST',
      headers: { authorization: `Bearer ${h.tokens.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Thôn chưa bắt đầu', languages: ['vi'] }),
    });
    expect(refused.status).toBe(503);
    const again = Date.now();
    expect((await post('Thôn sau đó')).status).toBe(201);
    expect(Date.now() - again).toBeLessThan(5_000);
  });

  it('answer 503 for audio when R2 fails', async () => {
    await createHarness();
    const brokenBucket = {
      ...testEnv.MEDIA,
      head: () => Promise.reject(new Error('R2 internal error')),
      get: () => Promise.reject(new Error('R2 internal error')),
    } as unknown as Env['MEDIA'];
    const runtime = await createEdgeRuntime({ ...testEnv, MEDIA: brokenBucket });
    const res = await runtime.app.request(`/media/${'a'.repeat(64)}.mp3`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { type: string }).type).toBe('urn:loa:problem:media_unavailable');
  });
});

describe('sign-in limits on the edge', () => {
  it('count the guesses of every isolate together: the sixth on another isolate is refused', async () => {
    await createHarness();
    const isolates = [await createEdgeRuntime(testEnv), await createEdgeRuntime(testEnv)];
    const login = (isolate: number, password: string) =>
      isolates[isolate]!.app.request('/api/v1/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'cf-connecting-ip': '198.51.100.7' },
        body: JSON.stringify({ username: 'admin', password }),
      });
    for (let i = 0; i < 5; i++) expect((await login(0, `wrong password ${i}`)).status).toBe(401);
    expect((await login(1, 'wrong password 5')).status).toBe(429);
    expect((await login(1, adminPassword)).status).toBe(429);
  });
});
