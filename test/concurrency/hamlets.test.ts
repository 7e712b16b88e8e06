import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Repositories } from '../../src/domain/ports/repositories.js';
import { dialects } from '../support/databases.js';
import { adminPassword, createHarness, userPassword, type Harness } from '../support/harness.js';
import { postAtOnce, startTwoInstances, type TwoInstances } from '../support/two-instances.js';

/**
 * Ten hamlets whose names give one id made at the same moment, on two instances over one database: each
 * finds the id free, and each must still get one of its own (`thon-moi`, `thon-moi-2` …), not a 500 from
 * the unique index; ten of one explicit id: one is made, the others refused as a lone request would be.
 */
describe.each(dialects)('hamlets made at the same moment, on %s', (dialect) => {
  let two: TwoInstances;
  // Hamlets are made by the commune's admin (the pair's own token is an officer's on PostgreSQL).
  let asAdmin: Record<string, string>;
  beforeAll(async () => {
    two = await startTwoInstances(dialect);
    const login = await fetch(`${two.urls[0]}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: adminPassword }),
    });
    asAdmin = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` };
  });
  afterAll(() => two.close());

  it('gives each hamlet whose name gives one id an id of its own', async () => {
    // Names differ in their diacritics only (one name twice is refused: test/concurrency/hamlet-names.test.ts).
    const names = ['Mới', 'Mởi', 'Mơi', 'Mỡi', 'Mợi', 'Mói', 'Mòi', 'Mỏi', 'Mõi', 'Mọi'].map(
      (n) => `Thôn ${n}`,
    );
    const answers = await postAtOnce(
      two,
      '/api/v1/hamlets',
      names.map((name) => ({ name, languages: ['vi'] })),
      asAdmin,
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    const ids = answers.map((a) => (a.body as { id: string }).id).sort();
    expect(ids).toEqual(['thon-moi', ...Array.from({ length: 9 }, (_, i) => `thon-moi-${i + 2}`)].sort());
  });

  it('makes one hamlet of an explicit id and refuses the others as a lone request', async () => {
    const answers = await postAtOnce(
      two,
      '/api/v1/hamlets',
      Array.from({ length: 10 }, (_, i) => ({ id: 'thon-hai-muoi', name: `Thôn ${i}`, languages: ['vi'] })),
      asAdmin,
    );
    const made = answers.filter((a) => a.status === 201);
    expect(made).toHaveLength(1);
    const lone = await postAtOnce(
      two,
      '/api/v1/hamlets',
      [{ id: 'thon-hai-muoi', name: 'Thôn lẻ', languages: ['vi'] }],
      asAdmin,
    );
    expect(lone[0]!.status).toBe(422);
    for (const refused of answers.filter((a) => a.status !== 201)) {
      expect(refused.status).toBe(422);
      expect(refused.body.detailVi).toBe(lone[0]!.body.detailVi);
    }
  });
});

/**
 * A person given a hamlet while an admin deletes it: the person is refused (the hamlet is gone), or the
 * deletion is (someone still looks after it); never a hamlet head left with a deleted hamlet. On
 * PostgreSQL (SQLite runs one unit of work at a time).
 */
describe.runIf(dialects.includes('postgres'))('a user given a hamlet while it is deleted', () => {
  let h: Harness;
  let hold: { reached: () => void; go: Promise<void> } | null = null;
  // The user's unit of work waits, once it has checked the hamlets, until the test lets it go on.
  const pause = async () => {
    const gate = hold;
    if (gate) {
      gate.reached();
      await gate.go;
    }
  };
  const decorate = (r: Repositories): Repositories => ({
    ...r,
    users: {
      ...r.users,
      async insertUser(user, now) {
        await pause();
        return r.users.insertUser(user, now);
      },
      async updateUser(id, values, now) {
        await pause();
        return r.users.updateUser(id, values, now);
      },
    },
  });
  beforeAll(async () => {
    h = await createHarness('postgres', {}, { decorateRepositories: decorate });
  });
  afterAll(() => h.close());

  const newHamlet = async (name: string) => {
    const res = await h.request('/api/v1/hamlets', {
      method: 'POST',
      token: h.tokens.admin,
      json: { name, languages: ['vi'] },
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };

  /** Starts `giving`, deletes `hamlet` while it is held, and answers both statuses. */
  async function race(hamlet: string, giving: () => Promise<Response>): Promise<[number, number]> {
    let release!: () => void;
    const reached = new Promise<void>((done) => {
      hold = { reached: done, go: new Promise((go) => (release = go)) };
    });
    const given = giving();
    await reached;
    hold = null;
    const deleting = h.request(`/api/v1/hamlets/${hamlet}`, { method: 'DELETE', token: h.tokens.admin });
    // The deletion either finishes (nothing held the hamlet) or waits for the user's lock on it.
    const waiting = async () => {
      for (;;) {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where wait_event_type = 'Lock' and datname = current_database()`.execute(h.runtime.db.kysely);
        if (rows[0]!.n > 0) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await Promise.race([deleting, waiting()]);
    release();
    const [a, b] = await Promise.all([given, deleting]);
    return [a.status, b.status];
  }

  const orphans = () =>
    h.runtime.db.kysely
      .selectFrom('user_hamlets as u')
      .innerJoin('hamlets as x', 'x.id', 'u.hamlet_id')
      .select('u.user_id')
      .where('x.deleted_at', 'is not', null)
      .execute();

  it('leaves no new user in a deleted hamlet', async () => {
    const hamlet = await newHamlet('Thôn Đua Một');
    const statuses = await race(hamlet, () =>
      h.request('/api/v1/users', {
        method: 'POST',
        token: h.tokens.admin,
        json: {
          username: 'truong-thon-dua',
          password: userPassword,
          role: 'hamlet_head',
          hamletIds: [hamlet],
          displayName: 'Trưởng thôn',
        },
      }),
    );
    expect(await orphans()).toEqual([]);
    expect(statuses).toEqual([201, 409]);
  });

  it('leaves no user moved into a deleted hamlet', async () => {
    const hamlet = await newHamlet('Thôn Đua Hai');
    const statuses = await race(hamlet, () =>
      h.request(`/api/v1/users/${h.userIds.head}`, {
        method: 'PATCH',
        token: h.tokens.admin,
        json: { hamletIds: ['un-ta', hamlet] },
      }),
    );
    expect(await orphans()).toEqual([]);
    expect(statuses).toEqual([200, 409]);
  });
});
