import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repositories } from '../../src/domain/ports/repositories.js';
import type { CommandKind } from '../../src/domain/receiver/command.js';
import { dialects } from '../support/databases.js';
import { adminPassword, createHarness, type Harness } from '../support/harness.js';
import { createDevice } from '../support/receiver-fixtures.js';
import { postAtOnce, startTwoInstances, type TwoInstances } from '../support/two-instances.js';

/**
 * Officers sending opposite settings to one box at the same instant, on two instances of the service
 * sharing one database: the box is left with one open command of each setting, never a mute and an
 * unmute both waiting to be carried out in an order nobody chose.
 */
describe.each(dialects)('commands of one setting sent at once on two instances over %s', (dialect) => {
  let two: TwoInstances;
  let boxId: string;
  beforeAll(async () => {
    two = await startTwoInstances(dialect);
    const login = await fetch(`${two.urls[0]}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: adminPassword }),
    });
    const { token } = (await login.json()) as { token: string };
    const created = await fetch(`${two.urls[0]}/api/v1/receivers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ hamletId: 'un-ta', name: 'Loa đầu thôn' }),
    });
    boxId = ((await created.json()) as { receiver: { id: string } }).receiver.id;
  });
  afterAll(() => two?.close());

  const openOf = (kinds: CommandKind[]) =>
    two.db
      .selectFrom('receiver_commands')
      .select(['id', 'kind'])
      .where('receiver_id', '=', boxId)
      .where('kind', 'in', kinds)
      .where('state', 'in', ['pending', 'delivered'])
      .execute();

  it('leaves one open mute or unmute, and one open volume, of 16 sent at once', async () => {
    const bodies = Array.from({ length: 16 }, (_, i) =>
      i % 4 === 0
        ? { kind: 'mute' }
        : i % 4 === 1
          ? { kind: 'unmute' }
          : { kind: 'volume', volume: 10 * (i % 10) },
    );
    const answers = await postAtOnce(two, `/api/v1/receivers/${boxId}/commands`, bodies);
    expect(answers.map((a) => a.status)).toEqual(Array(16).fill(202));
    expect(await openOf(['mute', 'unmute'])).toHaveLength(1);
    expect(await openOf(['volume'])).toHaveLength(1);
    // Every other command of those settings says it was replaced: none was lost or left to time out.
    const superseded = await two.db
      .selectFrom('receiver_commands')
      .select('id')
      .where('receiver_id', '=', boxId)
      .where('state', '=', 'superseded')
      .execute();
    expect(superseded).toHaveLength(14);
  });
});

/**
 * A box's answer that reaches the server as its command times out: the dispatcher's tick commits between
 * the answer's read of the command and its write. The box is told, as for any late answer, that it came
 * too late (409), not a 200 that says the command timed out. On PostgreSQL: on SQLite the answer reads and
 * writes in one unit of work, which holds the database's one write lock, so the tick cannot come between.
 */
describe.runIf(dialects.includes('postgres'))("an answer racing its command's time-out", () => {
  let h: Harness;
  // While set, the answer's write waits for the tick to time its command out, in a unit of work of its own.
  let race = false;
  const decorate = (r: Repositories): Repositories => ({
    ...r,
    receiverCommands: {
      ...r.receiverCommands,
      async answerCommand(id, answer, now) {
        if (race) {
          race = false;
          h.clock.advance(10 * 60_000);
          expect(await h.runtime.services.receiverCommands.timeOut()).toBe(1);
        }
        return r.receiverCommands.answerCommand(id, answer, now);
      },
    },
  });
  beforeAll(async () => {
    h = await createHarness('postgres', {}, { decorateRepositories: decorate });
  });
  afterAll(() => h.close());

  it('refuses the answer with 409 and keeps the command timed out', async () => {
    const box = await createDevice(h, 'un-ta');
    const sent = await h.request(`/api/v1/receivers/${box.id}/commands`, {
      method: 'POST',
      token: h.tokens.officer,
      json: { kind: 'test_tone' },
    });
    const [issued] = ((await sent.json()) as { items: { id: string }[] }).items;
    race = true;
    const late = await h.request(`/api/v1/receiver/commands/${issued!.id}/ack`, {
      method: 'POST',
      token: box.token,
      json: { ok: true, result: 'played' },
    });
    expect(late.status).toBe(409);
    expect(late.headers.get('content-type')).toMatch(/problem\+json/);
    expect(((await late.json()) as { detail: string }).detail).toMatch(/timed out/);
    const stored = await h.runtime.db.kysely
      .selectFrom('receiver_commands')
      .select('state')
      .where('id', '=', issued!.id)
      .executeTakeFirstOrThrow();
    expect(stored.state).toBe('timed_out');
    const audit = await h.runtime.db.kysely
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', issued!.id)
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['receiver.command_timed_out']);
  });
});
