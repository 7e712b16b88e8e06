import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { otherHamlet, provinceFixture, type ProvinceFixture } from '../support/province.js';
import { createDevice } from '../support/receiver-fixtures.js';
import { sseClient } from '../support/sse-client.js';

const beat = { volume: 80, uptimeS: 3600, freeBytes: 2_000_000_000, signal: -71, appVersion: '0.1.0' };

interface CommandDto {
  id: string;
  receiverId: string;
  kind: string;
  args: Record<string, unknown>;
  state: string;
  result: string | null;
  expiresAt: string;
}

describe.each(dialects)('remote control of the boxes on %s', (dialect) => {
  let h: Harness;
  let province: ProvinceFixture;
  let unTa: { id: string; token: string };
  let unTa2: { id: string; token: string };
  let thon2: { id: string; token: string };
  let foreign: { id: string; token: string };

  beforeAll(async () => {
    h = await createHarness(dialect);
    province = await provinceFixture(h);
    unTa = await createDevice(h, 'un-ta');
    unTa2 = await createDevice(h, 'un-ta');
    thon2 = await createDevice(h, 'thon-2');
    const res = await h.request('/api/v1/receivers', {
      method: 'POST',
      token: province.other.tokens.admin,
      json: { hamletId: otherHamlet, name: 'Cụm loa Quảng Kim' },
    });
    const body = (await res.json()) as { receiver: { id: string }; token: string };
    foreign = { id: body.receiver.id, token: body.token };
  });
  afterAll(() => h.close());

  const send = (target: string, json: unknown, token = h.tokens.officer) =>
    h.request(`/api/v1/${target}/commands`, { method: 'POST', token, json });
  const listOf = async (receiverId: string) =>
    (
      (await (
        await h.request(`/api/v1/receivers/${receiverId}/commands`, { token: h.tokens.officer })
      ).json()) as {
        items: CommandDto[];
      }
    ).items;
  const ack = (token: string, id: string, json: unknown) =>
    h.request(`/api/v1/receiver/commands/${id}/ack`, { method: 'POST', token, json });

  it('pushes a command on the open channel, marks it delivered, and records the acknowledgement once', async () => {
    const sse = sseClient(await h.request('/api/v1/receiver/events', { token: unTa.token }));
    await sse.next('schedule');
    const res = await send(`receivers/${unTa.id}`, { kind: 'volume', volume: 35 });
    expect(res.status).toBe(202);
    const [issued] = ((await res.json()) as { items: CommandDto[] }).items;
    expect(issued).toMatchObject({
      kind: 'volume',
      args: { volume: 35 },
      state: 'pending',
      receiverId: unTa.id,
    });
    const pushed = JSON.parse((await sse.next('command')).data) as CommandDto;
    expect(pushed).toMatchObject({ id: issued!.id, kind: 'volume', args: { volume: 35 } });
    await sse.cancel();
    await expect.poll(async () => (await listOf(unTa.id))[0]?.state).toBe('delivered');

    const first = await ack(unTa.token, issued!.id, { ok: true, result: 'volume 35' });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ id: issued!.id, state: 'acknowledged' });
    // The same answer again (a lost reply retried) changes nothing.
    const again = await ack(unTa.token, issued!.id, { ok: false, result: 'retry' });
    expect(await again.json()).toEqual({ id: issued!.id, state: 'acknowledged' });
    const [stored] = await listOf(unTa.id);
    expect(stored).toMatchObject({ state: 'acknowledged', result: 'volume 35' });

    const audit = await h.runtime.db.kysely
      .selectFrom('audit_log')
      .select(['action', 'actor_kind'])
      .where('target_id', 'in', [unTa.id, issued!.id])
      .where('action', 'like', 'receiver.command%')
      .orderBy('at')
      .execute();
    expect(audit).toEqual([
      { action: 'receiver.command', actor_kind: 'user' },
      { action: 'receiver.command_acknowledged', actor_kind: 'receiver' },
    ]);
  });

  it('hands commands to a box that only polls in its heartbeat answer, until it answers', async () => {
    const res = await send(`receivers/${thon2.id}`, { kind: 'hours', hours: { on: '05:30', off: '21:00' } });
    const [issued] = ((await res.json()) as { items: CommandDto[] }).items;
    expect(issued!.args).toEqual({ hours: { on: '05:30', off: '21:00', timeZone: 'Asia/Ho_Chi_Minh' } });
    const beatOf = async () =>
      (await (
        await h.request('/api/v1/receiver/heartbeat', { method: 'POST', token: thon2.token, json: beat })
      ).json()) as {
        commands?: CommandDto[];
      };
    expect((await beatOf()).commands?.map((c) => c.id)).toEqual([issued!.id]);
    expect((await listOf(thon2.id))[0]!.state).toBe('delivered');
    expect((await beatOf()).commands?.map((c) => c.id)).toEqual([issued!.id]);
    await ack(thon2.token, issued!.id, { ok: true });
    expect((await beatOf()).commands).toBeUndefined();
  });

  it('never carries out a mute after the unmute sent after it: the newer command of a setting supersedes', async () => {
    const beatOf = async () =>
      (await (
        await h.request('/api/v1/receiver/heartbeat', { method: 'POST', token: unTa2.token, json: beat })
      ).json()) as { commands?: CommandDto[] };
    const issue = async (json: unknown) =>
      ((await (await send(`receivers/${unTa2.id}`, json)).json()) as { items: CommandDto[] }).items[0]!;
    // The box is offline: "mute" waits; the officer changes her mind and sends "unmute", and a volume.
    const mute = await issue({ kind: 'mute' });
    const unmute = await issue({ kind: 'unmute' });
    const volume = await issue({ kind: 'volume', volume: 60 });
    const states = async () => new Map((await listOf(unTa2.id)).map((c) => [c.id, c.state]));
    expect((await states()).get(mute.id)).toBe('superseded');
    // Back online, the box gets the newest of each setting only, in the order they were sent.
    expect((await beatOf()).commands?.map((c) => c.kind)).toEqual(['unmute', 'volume']);

    // A command the box had got before it was superseded is recorded as the box answers it.
    const louder = await issue({ kind: 'volume', volume: 90 });
    expect((await states()).get(volume.id)).toBe('superseded');
    expect((await beatOf()).commands?.map((c) => c.id)).toEqual([unmute.id, louder.id]);
    const quieter = await issue({ kind: 'volume', volume: 20 });
    expect((await states()).get(louder.id)).toBe('superseded');
    const late = await ack(unTa2.token, louder.id, { ok: true, result: 'volume 90' });
    expect(await late.json()).toEqual({ id: louder.id, state: 'acknowledged' });
    expect((await beatOf()).commands?.map((c) => c.id)).toEqual([unmute.id, quieter.id]);
    for (const c of [unmute, quieter]) await ack(unTa2.token, c.id, { ok: true });
  });

  it('pushes no command superseded while its event was held back, and keeps the order of the rest', async () => {
    const box = await createDevice(h, 'thon-2');
    const issue = async (json: unknown) =>
      ((await (await send(`receivers/${box.id}`, json)).json()) as { items: CommandDto[] }).items[0]!;
    // The box is offline: "mute" waits, and the "unmute" sent after it supersedes it.
    const mute = await issue({ kind: 'mute' });
    const unmute = await issue({ kind: 'unmute' });
    const sse = sseClient(await h.request('/api/v1/receiver/events', { token: box.token }));
    await sse.next('schedule');
    // Back online, the box gets the "unmute"; then the mute's event, held by an event bus that was down,
    // arrives with what it queued: pushed now, it would mute the box again.
    h.runtime.bus.publish({
      type: 'receiver-command',
      receiverId: box.id,
      hamletId: 'thon-2',
      command: { id: mute.id, kind: 'mute', args: {}, expiresAt: mute.expiresAt },
    });
    const volume = await issue({ kind: 'volume', volume: 40 });
    const refresh = await issue({ kind: 'refresh' });
    const pushed = [await sse.next('command'), await sse.next('command')].map(
      (e) => (JSON.parse(e.data) as CommandDto).id,
    );
    await sse.cancel();
    expect(pushed).toEqual([volume.id, refresh.id]);
    expect((await listOf(box.id)).find((c) => c.id === mute.id)!.state).toBe('superseded');
    for (const c of [unmute, volume, refresh]) await ack(box.token, c.id, { ok: true });
  });

  it('records one answer when a box sends conflicting answers at once (a retry racing the first)', async () => {
    const [issued] = (
      (await (await send(`receivers/${unTa2.id}`, { kind: 'test_tone' })).json()) as {
        items: CommandDto[];
      }
    ).items;
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        ack(unTa2.token, issued!.id, { ok: i % 2 === 0, result: `try ${i}` }),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(12).fill(200));
    const states = new Set(
      await Promise.all(answers.map(async (r) => ((await r.json()) as { state: string }).state)),
    );
    // Every caller is told the state that was kept, whichever answer came first.
    expect(states.size).toBe(1);
    const [kept] = states;
    expect((await listOf(unTa2.id)).find((c) => c.id === issued!.id)!.state).toBe(kept);
    const audit = await h.runtime.db.kysely
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', issued!.id)
      .execute();
    expect(audit).toHaveLength(1);
  });

  it('sends a hamlet command to each enabled receiver of the hamlet', async () => {
    const res = await send('hamlets/un-ta', { kind: 'mute' });
    expect(res.status).toBe(202);
    const items = ((await res.json()) as { items: CommandDto[] }).items;
    expect(items.map((c) => c.receiverId).sort()).toEqual([unTa.id, unTa2.id].sort());
    expect(new Set(items.map((c) => c.id)).size).toBe(2);
  });

  it('times a command out when no answer comes by its deadline, and refuses a late answer', async () => {
    const res = await send(`receivers/${unTa2.id}`, { kind: 'test_tone' }, h.tokens.admin);
    const [issued] = ((await res.json()) as { items: CommandDto[] }).items;
    const stateOf = async () => (await listOf(unTa2.id)).find((c) => c.id === issued!.id)!.state;
    h.clock.advance(9 * 60_000);
    await h.runtime.dispatcher.tick();
    expect(await stateOf()).toBe('pending');
    h.clock.advance(2 * 60_000);
    expect((await h.runtime.dispatcher.tick()).timedOut).toBe(1);
    expect(await stateOf()).toBe('timed_out');
    const late = await ack(unTa2.token, issued!.id, { ok: true });
    expect(late.status).toBe(409);
    expect(late.headers.get('content-type')).toMatch(/problem\+json/);
    const audit = await h.runtime.db.kysely
      .selectFrom('audit_log')
      .select(['actor_kind', 'details'])
      .where('target_id', '=', issued!.id)
      .where('action', '=', 'receiver.command_timed_out')
      .execute();
    expect(audit.map((a) => a.actor_kind)).toEqual(['system']);
    // It never reached the box: the record says so.
    expect(JSON.parse(String(audit[0]!.details))).toMatchObject({ kind: 'test_tone', state: 'pending' });
  });

  it("cancels a disabled box's open commands, so none waits for it or reaches it when it is back", async () => {
    const box = await createDevice(h, 'thon-2');
    const issue = async (json: unknown) =>
      ((await (await send(`receivers/${box.id}`, json)).json()) as { items: CommandDto[] }).items[0]!;
    const restart = await issue({ kind: 'restart' });
    const volume = await issue({ kind: 'volume', volume: 30 });
    const patch = (disabled: boolean) =>
      h.request(`/api/v1/receivers/${box.id}`, {
        method: 'PATCH',
        token: h.tokens.admin,
        json: { disabled },
      });
    expect((await patch(true)).status).toBe(200);
    const closed = (await listOf(box.id)).filter((c) => [restart.id, volume.id].includes(c.id));
    expect(closed.map((c) => [c.state, c.result])).toEqual([
      ['cancelled', 'the receiver was disabled before it answered'],
      ['cancelled', 'the receiver was disabled before it answered'],
    ]);
    // Switched on again within the deadline, the box is not restarted by what was sent before.
    expect((await patch(false)).status).toBe(200);
    const answer = await h.request('/api/v1/receiver/heartbeat', {
      method: 'POST',
      token: box.token,
      json: beat,
    });
    expect(((await answer.json()) as { commands?: CommandDto[] }).commands).toBeUndefined();
    const audit = await h.runtime.db.kysely
      .selectFrom('audit_log')
      .select(['target_id', 'actor_kind'])
      .where('action', '=', 'receiver.command_cancelled')
      .where('target_id', 'in', [restart.id, volume.id])
      .execute();
    expect(audit).toHaveLength(2);
  });

  it("gives a new token (a replaced box) none of the old box's open commands", async () => {
    const box = await createDevice(h, 'thon-2');
    const [restart] = (
      (await (await send(`receivers/${box.id}`, { kind: 'restart' })).json()) as {
        items: CommandDto[];
      }
    ).items;
    const rotated = await h.request(`/api/v1/receivers/${box.id}/rotate-token`, {
      method: 'POST',
      token: h.tokens.admin,
    });
    const { token } = (await rotated.json()) as { token: string };
    const beatOf = async () =>
      (
        (await (
          await h.request('/api/v1/receiver/heartbeat', { method: 'POST', token, json: beat })
        ).json()) as { commands?: CommandDto[] }
      ).commands;
    expect(await beatOf()).toBeUndefined();
    expect((await listOf(box.id)).find((c) => c.id === restart!.id)).toMatchObject({
      state: 'cancelled',
      result: 'the receiver got a new token before it answered (a replaced box)',
    });
    // What is sent from now on goes to the new box.
    await send(`receivers/${box.id}`, { kind: 'volume', volume: 50 });
    expect((await beatOf())?.map((c) => c.kind)).toEqual(['volume']);
  });

  it('keeps commands inside the commune and away from hamlet heads and secretaries', async () => {
    // Another commune's receiver and hamlet are unknown here, and this commune's are unknown there.
    expect((await send(`receivers/${foreign.id}`, { kind: 'refresh' })).status).toBe(404);
    expect((await send(`hamlets/${otherHamlet}`, { kind: 'refresh' })).status).toBe(404);
    expect(
      (await send(`receivers/${unTa.id}`, { kind: 'refresh' }, province.other.tokens.officer)).status,
    ).toBe(404);
    expect(
      (await h.request(`/api/v1/receivers/${foreign.id}/commands`, { token: h.tokens.officer })).status,
    ).toBe(404);
    for (const token of [h.tokens.head, h.tokens.secretary]) {
      expect((await send(`receivers/${unTa.id}`, { kind: 'restart' }, token)).status).toBe(403);
      expect((await send('hamlets/un-ta', { kind: 'restart' }, token)).status).toBe(403);
    }
    // A box answers only its own commands.
    const [mine] = (
      (await (await send(`receivers/${unTa.id}`, { kind: 'refresh' })).json()) as {
        items: CommandDto[];
      }
    ).items;
    expect((await ack(thon2.token, mine!.id, { ok: true })).status).toBe(404);
    expect((await ack(foreign.token, mine!.id, { ok: true })).status).toBe(404);
  });

  it('refuses a malformed command with problem+json and stores nothing', async () => {
    const before = (await listOf(thon2.id)).length;
    for (const body of [
      { kind: 'volume', volume: 150 },
      { kind: 'volume' },
      { kind: 'hours', hours: { on: '25:00', off: '21:00' } },
      { kind: 'format_disk' },
    ]) {
      const res = await send(`receivers/${thon2.id}`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    }
    expect((await listOf(thon2.id)).length).toBe(before);
  });
});
