import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { startRealServer, type RealServer } from '../support/real-server.js';

const beat = { volume: 80, uptimeS: 60, freeBytes: 2_000_000_000, signal: -70, appVersion: '0.2.0' };

/**
 * The example commune's receivers are placeholders: rows with a secret nobody knows and no box behind
 * them. A command to one is refused at once with the reason, over a real HTTP server, instead of being
 * accepted and timing out five minutes later; once a real box is enrolled on such a row (its token
 * rotated) and has connected, it takes commands like any other, alone and with its hamlet.
 */
describe.each(dialects)('commands to the example commune’s placeholder boxes on %s', (dialect) => {
  let h: Harness;
  let server: RealServer;

  beforeAll(async () => {
    h = await createHarness(dialect);
    server = await startRealServer(h);
  });
  afterAll(async () => {
    await server?.stop();
    await h?.close();
  });

  const call = (path: string, json: unknown, token = h.tokens.officer) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(json),
    });
  const stored = async (receiverId: string) =>
    (
      await h.runtime.db.kysely
        .selectFrom('receiver_commands')
        .select('id')
        .where('receiver_id', '=', receiverId)
        .execute()
    ).length;

  it('refuses a command to a placeholder with 409 and why, in both languages, and stores nothing', async () => {
    const res = await call('/api/v1/receivers/rx-un-ta-1/commands', { kind: 'mute' });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await res.json()) as { detail: string; detailVi: string };
    expect(problem.detail).toMatch(/never connected/);
    expect(problem.detailVi).toMatch(/chưa từng kết nối/);
    expect(await stored('rx-un-ta-1')).toBe(0);
    const audited = await h.runtime.db.kysely
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'receiver.command')
      .where('target_id', '=', 'rx-un-ta-1')
      .execute();
    expect(audited).toEqual([]);
  });

  it('sends to a seeded row once a real box enrolled on it has connected, alone and with its hamlet', async () => {
    const rotated = await call('/api/v1/receivers/rx-un-ta-1/rotate-token', {}, h.tokens.admin);
    expect(rotated.status).toBe(200);
    const { token } = (await rotated.json()) as { token: string };
    const heartbeat = await call('/api/v1/receiver/heartbeat', beat, token);
    expect(heartbeat.status).toBe(200);

    const one = await call('/api/v1/receivers/rx-un-ta-1/commands', { kind: 'volume', volume: 40 });
    expect(one.status, await one.clone().text()).toBe(202);
    const hamlet = await call('/api/v1/hamlets/un-ta/commands', { kind: 'refresh' });
    expect(hamlet.status, await hamlet.clone().text()).toBe(202);
    const { items } = (await hamlet.json()) as { items: { receiverId: string }[] };
    // rx-un-ta-2 is still a placeholder: no command for it.
    expect(items.map((c) => c.receiverId)).toEqual(['rx-un-ta-1']);
    expect(await stored('rx-un-ta-1')).toBe(2);
    expect(await stored('rx-un-ta-2')).toBe(0);
  });

  it('raises an alarm for that box once it falls silent, and none for the placeholders still waiting', async () => {
    // The box above beat at the clock's start; three missed heartbeats later it is in alarm.
    h.clock.advance(3 * 60_000 + 1_000);
    await h.runtime.dispatcher.tick();
    const open = await h.runtime.db.kysely
      .selectFrom('receiver_alarms')
      .select(['receiver_id', 'kind'])
      .where('cleared_at', 'is', null)
      .execute();
    expect(open).toEqual([{ receiver_id: 'rx-un-ta-1', kind: 'missed_heartbeats' }]);
  });
});
