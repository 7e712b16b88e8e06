import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/domain/ports/ids.js';
import { sendBulletin } from '../support/bulletins.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { expectedRollup, provinceScenario, type ProvinceScenario } from '../support/province-scenario.js';

/**
 * The keys of the v1 export, pinned: a change here is a change of the contract the province's
 * information-source system reads, and must be made on purpose (new keys may be added to v1; renaming,
 * removing or changing the meaning of one is a v2).
 */
const PINNED = {
  envelope: ['generatedAt', 'items', 'nextCursor', 'provinceId', 'version'],
  device: [
    'agentVersion',
    'communeId',
    'communeName',
    'createdAt',
    'hamletId',
    'hamletName',
    'lastHeartbeatAt',
    'receiverId',
    'receiverName',
    'state',
    'stateSince',
  ],
  playbackDay: [
    'communeId',
    'date',
    'expected',
    'failed',
    'interrupted',
    'missed',
    'offline',
    'played',
    'rate',
    'scheduled',
  ],
  bulletinDelivery: [
    'airedReceivers',
    'answerBy',
    'bulletinId',
    'communeId',
    'communeName',
    'decidedAt',
    'declineReason',
    'firstAiringAt',
    'level',
    'sentAt',
    'status',
    'title',
  ],
} as const;

interface Envelope<T> {
  version: number;
  provinceId: string;
  generatedAt: string;
  items: T[];
  nextCursor: string | null;
}
interface Device {
  receiverId: string;
  communeId: string;
  state: string;
  stateSince: string | null;
  lastHeartbeatAt: string | null;
  agentVersion: string | null;
}

describe.each(dialects)('machine tokens and the v1 export on %s', (dialect) => {
  let h: Harness;
  let s: ProvinceScenario;
  let machine = '';
  let tokenId = '';
  const devices = '/api/v1/province/reports/v1/devices';
  const days = '/api/v1/province/reports/v1/playback-days';
  const bulletins = '/api/v1/province/reports/v1/bulletins';

  beforeAll(async () => {
    h = await createHarness(dialect);
    s = await provinceScenario(h);
    // One box disabled now: its state says so, since when.
    const res = await h.request('/api/v1/receivers/rx-thon-2-1', {
      method: 'PATCH',
      token: h.tokens.admin,
      json: { disabled: true },
    });
    expect(res.status, await res.clone().text()).toBe(200);
  });
  afterAll(() => h.close());

  it('lets the province admin create a machine token, shown once and stored as a digest', async () => {
    const res = await h.request('/api/v1/province/tokens', {
      method: 'POST',
      token: s.province.tokens.provinceAdmin,
      json: { name: 'Hệ thống thông tin nguồn tỉnh Lào Cai' },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const body = (await res.json()) as { token: { id: string; name: string }; secret: string };
    expect(body.secret).toMatch(/^loa_mt_[A-Za-z0-9_-]{43}$/);
    machine = body.secret;
    tokenId = body.token.id;

    const rows = await h.runtime.db.kysely.selectFrom('api_tokens').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toBe(createHash('sha256').update(machine).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(machine.slice(7));

    const list = await h.request('/api/v1/province/tokens', { token: s.province.tokens.provinceAdmin });
    const listed = (await list.json()) as { items: Record<string, unknown>[] };
    expect(listed.items).toEqual([
      expect.objectContaining({
        id: tokenId,
        name: 'Hệ thống thông tin nguồn tỉnh Lào Cai',
        revokedAt: null,
      }),
    ]);
    expect(JSON.stringify(listed)).not.toContain(machine.slice(7));
    const audit = await h.runtime.db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'api_token.create')
      .execute();
    expect(audit).toEqual([
      expect.objectContaining({ target_id: tokenId, actor_id: s.province.userIds.provinceAdmin }),
    ]);
  });

  it('keeps tokens with the province admin: officers and commune staff may not create or list them', async () => {
    for (const token of [s.province.tokens.provinceOfficer, h.tokens.admin, s.province.other.tokens.admin]) {
      const res = await h.request('/api/v1/province/tokens', { method: 'POST', token, json: { name: 'x' } });
      expect(res.status).toBe(403);
      expect((await h.request('/api/v1/province/tokens', { token })).status).toBe(403);
    }
  });

  it('answers the devices with their state now, with the keys pinned', async () => {
    const res = await h.request(devices, { token: machine });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as Envelope<Device>;
    expect(Object.keys(body).sort()).toEqual([...PINNED.envelope]);
    expect(body).toMatchObject({ version: 1, provinceId: 'lao-cai', generatedAt: s.now, nextCursor: null });
    for (const item of body.items) expect(Object.keys(item).sort()).toEqual([...PINNED.device]);
    expect(body.items.map((d) => d.receiverId)).toEqual([...body.items.map((d) => d.receiverId)].sort());
    expect(body.items).toHaveLength(9);
    const byId = new Map(body.items.map((d) => [d.receiverId, d]));
    // A: back online at 04:59:30 after a gap, on a newer agent.
    expect(byId.get(s.boxes.a.id)).toMatchObject({
      communeId: 'coc-san',
      hamletId: 'thon-3',
      state: 'online',
      stateSince: '2026-11-27T04:59:30.000Z',
      lastHeartbeatAt: '2026-11-27T04:59:30.000Z',
      agentVersion: '0.3.1',
    });
    // B: last heard at 01:59, offline once that heartbeat's two minutes ran out.
    expect(byId.get(s.boxes.b.id)).toMatchObject({
      state: 'offline',
      stateSince: '2026-11-27T02:01:00.000Z',
      lastHeartbeatAt: '2026-11-27T01:59:00.000Z',
      agentVersion: '0.2.0',
    });
    expect(byId.get(s.boxes.q1.id)).toMatchObject({ communeId: 'quang-kim', state: 'offline' });
    expect(byId.get('rx-un-ta-1')).toMatchObject({
      state: 'never_seen',
      stateSince: '2026-11-27T01:00:00.000Z',
      lastHeartbeatAt: null,
      agentVersion: null,
    });
    expect(byId.get('rx-thon-2-1')).toMatchObject({ state: 'disabled', stateSince: s.now });
  });

  it('pages the devices by cursor, each once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await h.request(
        `${devices}?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        {
          token: machine,
        },
      );
      const body = (await res.json()) as Envelope<Device>;
      seen.push(...body.items.map((d) => d.receiverId));
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(9);
    expect(new Set(seen).size).toBe(9);
  });

  it('answers playback per commune and day as the communes count it, by day then commune, with the keys pinned', async () => {
    const res = await h.request(`${days}?from=2026-11-26&to=2026-11-27&limit=3`, { token: machine });
    expect(res.status, await res.clone().text()).toBe(200);
    const first = (await res.json()) as Envelope<Record<string, unknown>>;
    expect(Object.keys(first).sort()).toEqual([...PINNED.envelope]);
    for (const item of first.items) expect(Object.keys(item).sort()).toEqual([...PINNED.playbackDay]);
    const quiet = {
      scheduled: 0,
      expected: 0,
      played: 0,
      failed: 0,
      missed: 0,
      offline: 0,
      interrupted: 0,
      rate: null,
    };
    const { receivers: _a, ...cocSan } = expectedRollup['coc-san'];
    const { receivers: _b, ...quangKim } = expectedRollup['quang-kim'];
    expect(first.items).toEqual([
      { communeId: 'coc-san', date: '2026-11-26', ...quiet },
      { communeId: 'quang-kim', date: '2026-11-26', ...quiet },
      { communeId: 'coc-san', date: '2026-11-27', ...cocSan },
    ]);
    expect(first.nextCursor).toBe('2026-11-27|coc-san');
    const next = await h.request(`${days}?from=2026-11-26&to=2026-11-27&limit=3&cursor=${first.nextCursor}`, {
      token: machine,
    });
    const second = (await next.json()) as Envelope<Record<string, unknown>>;
    expect(second.items).toEqual([{ communeId: 'quang-kim', date: '2026-11-27', ...quangKim }]);
    expect(second.nextCursor).toBeNull();

    // The last day of the calendar is one day, not a walk to the year 99999.
    const last = await h.request(`${days}?from=9999-12-31&to=9999-12-31`, { token: machine });
    expect(last.status, await last.clone().text()).toBe(200);
    expect(((await last.json()) as Envelope<{ date: string }>).items.map((i) => i.date)).toEqual([
      '9999-12-31',
      '9999-12-31',
    ]);

    // A cursor naming a commune deleted since goes on from the next commune of that day.
    const gone = await h.request(
      `${days}?from=2026-11-26&to=2026-11-27&limit=1&cursor=2026-11-26|coc-san-cu`,
      {
        token: machine,
      },
    );
    expect(((await gone.json()) as Envelope<{ communeId: string; date: string }>).items).toEqual([
      expect.objectContaining({ communeId: 'quang-kim', date: '2026-11-26' }),
    ]);

    const bad = await h.request(`${days}?from=2026-11-26&to=2026-11-27&cursor=nowhere`, {
      token: machine,
    });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ errors: [{ field: 'cursor' }] });
  });

  it('answers the bulletins with their delivery per commune, by bulletin then commune, with the keys pinned', async () => {
    const { id } = await sendBulletin(
      h,
      s.province.tokens.provinceOfficer,
      'normal',
      ['coc-san', 'quang-kim'],
      {
        title: 'Lịch tiêm phòng gia súc',
        answerBy: '2026-11-28T17:00:00+07:00',
      },
    );
    const booked = await h.request(`/api/v1/bulletins/${id}/schedule`, {
      method: 'POST',
      token: h.tokens.officer,
      json: { hamletIds: ['thon-4'], at: '2026-11-28T09:00:00+07:00' },
    });
    expect(booked.status, await booked.clone().text()).toBe(201);
    const declined = await h.request(`/api/v1/bulletins/${id}/decline`, {
      method: 'POST',
      token: s.province.other.tokens.officer,
      json: { reason: 'Đã phát tuần trước.' },
    });
    expect(declined.status).toBe(200);

    const res = await h.request(`${bulletins}?limit=1`, { token: machine });
    expect(res.status, await res.clone().text()).toBe(200);
    const first = (await res.json()) as Envelope<Record<string, unknown>>;
    expect(Object.keys(first).sort()).toEqual([...PINNED.envelope]);
    for (const item of first.items) expect(Object.keys(item).sort()).toEqual([...PINNED.bulletinDelivery]);
    const common = {
      bulletinId: id,
      title: 'Lịch tiêm phòng gia súc',
      level: 'normal',
      sentAt: h.clock.now().toISOString(),
      answerBy: '2026-11-28T10:00:00.000Z',
      airedReceivers: 0,
    };
    expect(first.items).toEqual([
      {
        ...common,
        communeId: 'coc-san',
        communeName: 'Xã Cốc San',
        status: 'scheduled',
        firstAiringAt: '2026-11-28T02:00:00.000Z',
        declineReason: null,
        decidedAt: h.clock.now().toISOString(),
      },
    ]);
    expect(first.nextCursor).toBe(`${id}|coc-san`);
    const next = await h.request(`${bulletins}?limit=1&cursor=${encodeURIComponent(first.nextCursor!)}`, {
      token: machine,
    });
    const second = (await next.json()) as Envelope<Record<string, unknown>>;
    expect(second.items).toEqual([
      expect.objectContaining({
        ...common,
        communeId: 'quang-kim',
        status: 'declined',
        firstAiringAt: null,
        declineReason: 'Đã phát tuần trước.',
      }),
    ]);
    expect(second.nextCursor).toBeNull();
    expect((await h.request(`${bulletins}?cursor=nonsense`, { token: machine })).status).toBe(422);
  });

  it('documents v1 in the OpenAPI with the same keys and an example of each item', async () => {
    const doc = (await (await h.request('/openapi.json')).json()) as {
      paths: Record<string, { get?: { security?: unknown[] } }>;
      components: { schemas: Record<string, { properties: Record<string, unknown>; example?: object }> };
    };
    expect(doc.paths[devices]?.get?.security).toEqual([{ MachineToken: [] }]);
    expect(doc.paths[days]).toBeDefined();
    const device = doc.components.schemas.ExportDeviceV1!;
    expect(Object.keys(device.properties).sort()).toEqual([...PINNED.device]);
    expect(Object.keys(device.example!).sort()).toEqual([...PINNED.device]);
    const day = doc.components.schemas.ExportPlaybackDayV1!;
    expect(Object.keys(day.properties).sort()).toEqual([...PINNED.playbackDay]);
    expect(Object.keys(day.example!).sort()).toEqual([...PINNED.playbackDay]);
    expect(doc.paths[bulletins]?.get?.security).toEqual([{ MachineToken: [] }]);
    const delivery = doc.components.schemas.ExportBulletinDeliveryV1!;
    expect(Object.keys(delivery.properties).sort()).toEqual([...PINNED.bulletinDelivery]);
    expect(Object.keys(delivery.example!).sort()).toEqual([...PINNED.bulletinDelivery]);
  });

  it('opens the export only: a machine token is refused everywhere else', async () => {
    for (const path of [
      '/api/v1/province',
      '/api/v1/communes',
      '/api/v1/hamlets',
      '/api/v1/province/rollup',
    ]) {
      const res = await h.request(path, { token: machine });
      expect(res.status, path).toBe(401);
      expect(await res.json()).toMatchObject({ type: 'urn:loa:problem:machine_token_not_accepted' });
    }
  });

  it('is opened by a machine token only: sign-in tokens are refused, the province admin’s too', async () => {
    for (const token of [
      s.province.tokens.provinceAdmin,
      s.province.tokens.provinceOfficer,
      h.tokens.admin,
    ]) {
      const res = await h.request(devices, { token });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect((await h.request(devices)).status).toBe(401);
  });

  it('reads only its own province: a token of another province sees none of these communes', async () => {
    const now = h.clock.now().toISOString();
    await h.runtime.repos.provinces.upsertProvince(
      { id: 'ha-giang', code: '02', name: 'Tỉnh Hà Giang' },
      now,
    );
    const other = 'loa_mt_another-province-token-for-tests';
    await h.runtime.repos.apiTokens.insertApiToken(
      {
        id: 'tok-ha-giang',
        provinceId: 'ha-giang',
        name: 'Hà Giang',
        tokenHash: await hashToken(other),
        createdBy: 'x',
      },
      now,
    );
    const res = await h.request(devices, { token: other });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ provinceId: 'ha-giang', items: [] });
    const dayRes = await h.request(`${days}?from=2026-11-27&to=2026-11-27`, { token: other });
    expect(await dayRes.json()).toMatchObject({ items: [] });
  });

  it('rate-limits a token, and counts unknown tokens per address', async () => {
    h.clock.set('2026-11-27T06:00:00.000Z');
    let status = 0;
    let retryAfter: string | null = null;
    for (let i = 0; i < 121; i++) {
      const res = await h.request(`${devices}?limit=1`, { token: machine });
      status = res.status;
      retryAfter = res.headers.get('retry-after');
    }
    expect(status).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    h.clock.advance(61_000);
    expect((await h.request(`${devices}?limit=1`, { token: machine })).status).toBe(200);

    const guess = (i: number) =>
      h.request(devices, {
        token: `loa_mt_guess-${String(i).padStart(40, '0')}`,
        headers: { 'x-forwarded-for': '203.0.113.9' },
      });
    // 30 guesses at once: the limit holds for those still being looked up when the 20th is counted.
    const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => guess(i)));
    expect(burst.map((r) => r.status).sort()).toEqual([
      ...Array<number>(20).fill(401),
      ...Array<number>(10).fill(429),
    ]);
    expect((await guess(99)).status).toBe(429);
    // A live token is no guess: the same address, and another one, still reach the export with it.
    for (const address of ['203.0.113.9', '203.0.113.10']) {
      const live = await h.request(devices, { token: machine, headers: { 'x-forwarded-for': address } });
      expect(live.status).toBe(200);
    }
  });

  it('records when a token was last used', async () => {
    const list = await h.request('/api/v1/province/tokens', { token: s.province.tokens.provinceAdmin });
    const { items } = (await list.json()) as { items: { id: string; lastUsedAt: string | null }[] };
    expect(items.find((t) => t.id === tokenId)?.lastUsedAt).toBe(h.clock.now().toISOString());
  });

  it('revokes a token: its next request is refused, a second revocation is a conflict, both audited once', async () => {
    const res = await h.request(`/api/v1/province/tokens/${tokenId}`, {
      method: 'DELETE',
      token: s.province.tokens.provinceAdmin,
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ id: tokenId, revokedAt: h.clock.now().toISOString() });
    expect(
      (await h.request(devices, { token: machine, headers: { 'x-forwarded-for': '198.51.100.7' } })).status,
    ).toBe(401);
    const again = await h.request(`/api/v1/province/tokens/${tokenId}`, {
      method: 'DELETE',
      token: s.province.tokens.provinceAdmin,
    });
    expect(again.status).toBe(409);
    const unknown = await h.request('/api/v1/province/tokens/tok-ha-giang', {
      method: 'DELETE',
      token: s.province.tokens.provinceAdmin,
    });
    expect(unknown.status).toBe(404);
    const audit = await h.runtime.db.kysely
      .selectFrom('audit_log')
      .select('target_id')
      .where('action', '=', 'api_token.revoke')
      .execute();
    expect(audit).toEqual([{ target_id: tokenId }]);
  });
});
