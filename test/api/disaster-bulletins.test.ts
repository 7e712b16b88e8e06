import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LoaEvent } from '../../src/domain/ports/events.js';
import type { TtsEngine } from '../../src/domain/ports/tts.js';
import type { Manifest } from '../../src/domain/receiver/protocol.js';
import { createEspeakEngine } from '../../src/media/tts/espeak.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createDevice, createReadyAnnouncement } from '../support/receiver-fixtures.js';

const HOUR = 3_600_000;
// The harness clock starts at 2026-11-27T01:00Z = 08:00 in Asia/Ho_Chi_Minh.

interface Bulletin {
  id: string;
  sequence: number;
  broadcastId: string;
  headerText: string;
  riskLevel: number;
  riskColour: string;
  endedAt: string | null;
  endReason: string | null;
}

interface EventView {
  id: string;
  status: string;
  bulletins: (Bulletin & {
    airings: { hamletId: string; lastAiredAt: string | null; nextAt: string | null }[];
  })[];
}

describe.each(dialects)('disaster bulletins on %s', (dialect) => {
  let h: Harness;
  let box: { id: string; token: string };
  let events: LoaEvent[] = [];
  // The texts the real speech engine was given, in order.
  const spoken: string[] = [];
  const espeak = createEspeakEngine();
  const recording: TtsEngine = {
    name: espeak.name,
    synthesize: (text, options) => {
      spoken.push(text);
      return espeak.synthesize(text, options);
    },
  };

  beforeAll(async () => {
    h = await createHarness(dialect, {}, { tts: recording });
    h.runtime.bus.subscribe((e) => events.push(e));
    box = await createDevice(h, 'un-ta');
  });
  afterAll(() => h.close());
  beforeEach(() => {
    events = [];
  });

  const json = async <T>(res: Response): Promise<T> => (await res.json()) as T;
  const post = (path: string, body: unknown, token = h.tokens.officer) =>
    h.request(path, { method: 'POST', token, json: body });
  const manifest = async (): Promise<Manifest> =>
    json<Manifest>(await h.request('/api/v1/receiver/schedule', { token: box.token }));
  const newEvent = async (name: string) => {
    const res = await post('/api/v1/disaster/events', { name, hazardType: 'storm' });
    expect(res.status).toBe(201);
    return json<{ id: string }>(res);
  };
  const content = (title: string) =>
    createReadyAnnouncement(h, title, [{ language: 'vi', seconds: 3 }], { category: 'thien-tai' });
  const bulletinOf = (eventId: string, body: Record<string, unknown>) =>
    post(`/api/v1/disaster/events/${eventId}/bulletins`, body);
  /** The manifest's parts grouped by occurrence, in play order. */
  const airings = (m: Manifest) => {
    const byOccurrence = new Map<string, Manifest['items']>();
    for (const item of m.items)
      byOccurrence.set(item.occurrenceId, [...(byOccurrence.get(item.occurrenceId) ?? []), item]);
    return [...byOccurrence.values()];
  };

  it('speaks the issue time in a header that every repeat plays first, also after the dispatcher extends the series', async () => {
    const storm = await newEvent('Bão số 3');
    const text = await content('Bản tin bão số 3, tin số 1');
    const res = await bulletinOf(storm.id, {
      announcementId: text.id,
      riskLevel: 3,
      agency: 'Đài Khí tượng Thủy văn tỉnh Lào Cai',
      issuedAt: '2026-11-27T07:30:00+07:00',
      hamletIds: ['un-ta'],
    });
    expect(res.status).toBe(201);
    const bulletin = await json<Bulletin>(res);
    expect(bulletin).toMatchObject({
      sequence: 1,
      riskLevel: 3,
      riskColour: '#f7941d',
      headerText: 'Bản tin phát lúc 7 giờ 30 ngày 27 tháng 11 năm 2026.',
      endedAt: null,
    });
    // The real engine was given the header as written (it reads the digits as words itself).
    expect(spoken).toContain('Bản tin phát lúc 7 giờ 30 ngày 27 tháng 11 năm 2026.');
    // Pushed at once as an emergency.
    expect(events.some((e) => e.type === 'emergency')).toBe(true);

    const now = await manifest();
    const mine = airings(now).filter((parts) => parts[0]!.title === 'Bản tin bão số 3, tin số 1');
    // Now (08:00), then every 2 hours on the hour within the 48 h manifest.
    expect(mine.map((p) => p[0]!.at).slice(0, 3)).toEqual([
      '2026-11-27T01:00:00.000Z',
      '2026-11-27T03:00:00.000Z',
      '2026-11-27T05:00:00.000Z',
    ]);
    expect(mine.length).toBeGreaterThanOrEqual(24);
    const headerSha = mine[0]![0]!.audio!.sha256;
    expect(headerSha).not.toBe(text.variants[0]!.sha256);
    for (const parts of mine) {
      // Header first, then the bulletin, back to back within the occurrence.
      expect(parts.map((p) => [p.part, p.audio?.sha256])).toEqual([
        [0, headerSha],
        [1, text.variants[0]!.sha256],
      ]);
      expect(Date.parse(parts[1]!.at) - Date.parse(parts[0]!.at)).toBe(parts[0]!.durationMs);
    }
    // The header is a real, playable file.
    const audio = await h.request(mine[0]![0]!.audio!.url);
    expect(audio.status).toBe(200);
    expect((await audio.arrayBuffer()).byteLength).toBe(mine[0]![0]!.audio!.bytes);

    // Eight days later the dispatcher has extended the series: the new airings still say 07:30 on 27/11.
    h.clock.advance(8 * 24 * HOUR);
    await h.runtime.dispatcher.tick();
    const later = airings(await manifest()).filter((p) => p[0]!.title === 'Bản tin bão số 3, tin số 1');
    expect(later.length).toBeGreaterThanOrEqual(24);
    for (const parts of later) expect(parts[0]!.audio!.sha256).toBe(headerSha);
    expect(spoken.filter((t) => t.startsWith('Bản tin phát lúc'))).toHaveLength(1);

    expect((await post(`/api/v1/disaster/events/${storm.id}/end`, {})).status).toBe(200);
    h.clock.advance(-8 * 24 * HOUR);
  });

  it('replaces the bulletin on the air by a newer one of the same event: the old repeats end, the new header says the new time', async () => {
    const storm = await newEvent('Bão số 4');
    const first = await json<Bulletin>(
      await bulletinOf(storm.id, {
        announcementId: (await content('Bão số 4, tin số 1')).id,
        riskLevel: 3,
        agency: 'Đài KTTV tỉnh',
        issuedAt: '2026-11-27T07:00:00+07:00',
        hamletIds: ['un-ta'],
      }),
    );
    expect(first.headerText).toBe('Bản tin phát lúc 7 giờ ngày 27 tháng 11 năm 2026.');

    const newer = await content('Bão số 4, tin số 2');
    h.clock.advance(2 * HOUR + 1000); // 10:00:01, while the first one's repeat airs
    events = [];
    const res = await bulletinOf(storm.id, {
      announcementId: newer.id,
      riskLevel: 4,
      agency: 'Đài KTTV tỉnh',
      issuedAt: '2026-11-27T09:55:00+07:00',
      hamletIds: ['un-ta'],
    });
    expect(res.status).toBe(201);
    const second = await json<Bulletin>(res);
    expect(second).toMatchObject({ sequence: 2, riskLevel: 4, riskColour: '#d7191c' });
    expect(spoken).toContain('Bản tin phát lúc 9 giờ 55 ngày 27 tháng 11 năm 2026.');
    // The playing old one is stopped, by its airing, before the new one is pushed.
    const repeat = (
      await json<{ occurrences: { id: string; at: string }[] }>(
        await h.request(`/api/v1/broadcasts/${first.broadcastId}`, { token: h.tokens.officer }),
      )
    ).occurrences.find((o) => o.at === '2026-11-27T03:00:00.000Z')!;
    const stop = events.findIndex((e) => e.type === 'stop' && e.hamletIds.includes('un-ta'));
    const push = events.findIndex((e) => e.type === 'emergency');
    expect(events[stop]).toEqual({ type: 'stop', hamletIds: ['un-ta'], occurrenceId: repeat.id });
    expect(push).toBeGreaterThan(stop);

    const event = await json<EventView>(
      await h.request(`/api/v1/disaster/events/${storm.id}`, { token: h.tokens.head }),
    );
    expect(event.bulletins.map((b) => [b.sequence, b.endReason])).toEqual([
      [2, null],
      [1, 'superseded'],
    ]);
    const old = await json<{ cancelledAt: string | null; occurrences: { at: string; status: string }[] }>(
      await h.request(`/api/v1/broadcasts/${first.broadcastId}`, { token: h.tokens.officer }),
    );
    expect(old.cancelledAt).not.toBeNull();
    const nowIso = h.clock.now().toISOString();
    expect(old.occurrences.filter((o) => o.at > nowIso && o.status !== 'cancelled')).toEqual([]);

    const titles = new Set((await manifest()).items.filter((i) => i.at > nowIso).map((i) => i.title));
    expect(titles.has('Bão số 4, tin số 1')).toBe(false);
    expect(titles.has('Bão số 4, tin số 2')).toBe(true);

    // An officer ends the bulletin: nothing of it is left to air.
    const ended = await post(`/api/v1/disaster/bulletins/${second.id}/end`, {});
    expect(ended.status).toBe(200);
    expect(await json<Bulletin>(ended)).toMatchObject({ endReason: 'ended' });
    expect((await manifest()).items.some((i) => i.at > nowIso && i.title.startsWith('Bão số 4'))).toBe(false);
    h.clock.advance(-(2 * HOUR + 1000));
  });

  it('ending the event stops every bulletin of it and refuses new ones', async () => {
    const flood = await newEvent('Lũ tháng 11');
    const b = await json<Bulletin>(
      await bulletinOf(flood.id, {
        announcementId: (await content('Lũ, tin số 1')).id,
        riskLevel: 2,
        agency: 'Ban Chỉ huy PCTT xã',
        issuedAt: '2026-11-27T07:45:00+07:00',
        hamletIds: 'all',
      }),
    );
    events = [];
    const res = await post(`/api/v1/disaster/events/${flood.id}/end`, {});
    expect(res.status).toBe(200);
    const ended = await json<EventView>(res);
    expect(ended.status).toBe('ended');
    expect(ended.bulletins[0]).toMatchObject({ id: b.id, endReason: 'event_ended' });
    expect(events.flatMap((e) => (e.type === 'stop' ? e.hamletIds : []))).toContain('un-ta');
    const nowIso = h.clock.now().toISOString();
    expect((await manifest()).items.some((i) => i.at > nowIso && i.title === 'Lũ, tin số 1')).toBe(false);

    const again = await bulletinOf(flood.id, {
      announcementId: (await content('Lũ, tin số 2')).id,
      riskLevel: 2,
      agency: 'Ban Chỉ huy PCTT xã',
      issuedAt: '2026-11-27T07:50:00+07:00',
    });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await again.json()) as { detailVi: string }).detailVi).toMatch(/đã kết thúc/);
  });

  it('shows, per hamlet, when a bulletin last aired, from the receivers’ reports', async () => {
    const cold = await newEvent('Rét hại');
    const b = await json<Bulletin>(
      await bulletinOf(cold.id, {
        announcementId: (await content('Rét hại, tin số 1')).id,
        riskLevel: 1,
        agency: 'Đài KTTV tỉnh',
        issuedAt: '2026-11-27T07:00:00+07:00',
        hamletIds: ['un-ta'],
      }),
    );
    const first = (await manifest()).items.find((i) => i.title === 'Rét hại, tin số 1')!;
    const view = async () =>
      (
        await json<EventView>(
          await h.request(`/api/v1/disaster/events/${cold.id}`, { token: h.tokens.officer }),
        )
      ).bulletins[0]!.airings.find((a) => a.hamletId === 'un-ta')!;
    expect((await view()).lastAiredAt).toBeNull();
    h.clock.advance(60_000);
    const logged = await h.request('/api/v1/receiver/logs', {
      method: 'POST',
      token: box.token,
      json: {
        events: [
          { id: `${b.id}-s`, occurrenceId: first.occurrenceId, type: 'started', at: first.at },
          {
            id: `${b.id}-c`,
            occurrenceId: first.occurrenceId,
            type: 'completed',
            at: h.clock.now().toISOString(),
          },
        ],
      },
    });
    expect(logged.status).toBe(200);
    const airing = await view();
    expect(airing.lastAiredAt).toBe(first.at);
    expect(airing.nextAt).toBe('2026-11-27T03:00:00.000Z');
    await post(`/api/v1/disaster/events/${cold.id}/end`, {});
    h.clock.advance(-60_000);
  });

  it('numbers two bulletins sent at once one after the other: one replaces the other, never two on the air', async () => {
    const ev = await newEvent('Áp thấp nhiệt đới');
    const [a, b] = await Promise.all([content('Áp thấp, tin A'), content('Áp thấp, tin B')]);
    const sent = await Promise.all(
      [a, b].map((c, i) =>
        bulletinOf(ev.id, {
          announcementId: c.id,
          riskLevel: 3,
          agency: 'Đài KTTV tỉnh',
          issuedAt: `2026-11-27T07:0${i}:00+07:00`,
          hamletIds: ['un-ta'],
        }),
      ),
    );
    expect(sent.map((r) => r.status)).toEqual([201, 201]);
    const event = await json<EventView>(
      await h.request(`/api/v1/disaster/events/${ev.id}`, { token: h.tokens.officer }),
    );
    expect(event.bulletins.map((x) => x.sequence).sort()).toEqual([1, 2]);
    expect(event.bulletins.filter((x) => x.endReason === null)).toHaveLength(1);
    expect(event.bulletins.find((x) => x.sequence === 1)!.endReason).toBe('superseded');
    const live = event.bulletins.find((x) => x.endReason === null)!;
    const nowIso = h.clock.now().toISOString();
    const titles = new Set(
      (await manifest()).items
        .filter((i) => i.at > nowIso && i.title.startsWith('Áp thấp'))
        .map((i) => i.title),
    );
    expect(titles.size).toBe(1);
    expect(live.sequence).toBe(2);
    await post(`/api/v1/disaster/events/${ev.id}/end`, {});
  });

  it('opens one event and airs one bulletin when each request is sent three times at once under its key', async () => {
    const send = (path: string, body: unknown, key: string) =>
      h.request(path, {
        method: 'POST',
        token: h.tokens.officer,
        json: body,
        headers: { 'idempotency-key': key },
      });
    const opened = await Promise.all(
      [1, 2, 3].map(() =>
        send('/api/v1/disaster/events', { name: 'Lũ quét', hazardType: 'flash_flood' }, `ev-${dialect}-1`),
      ),
    );
    expect(opened.map((r) => r.status)).toEqual([201, 201, 201]);
    const ids = new Set(await Promise.all(opened.map(async (r) => (await json<{ id: string }>(r)).id)));
    expect(ids.size).toBe(1);
    const [eventId] = [...ids];

    const c = await content('Lũ quét, tin số 1');
    const bulletin = {
      announcementId: c.id,
      riskLevel: 4,
      agency: 'Đài KTTV tỉnh',
      issuedAt: '2026-11-27T07:40:00+07:00',
      hamletIds: ['un-ta'],
    };
    const path = `/api/v1/disaster/events/${eventId}/bulletins`;
    const aired = await Promise.all([1, 2, 3].map(() => send(path, bulletin, `bt-${dialect}-1`)));
    expect(aired.map((r) => r.status)).toEqual([201, 201, 201]);
    const bulletinIds = new Set(await Promise.all(aired.map(async (r) => (await json<Bulletin>(r)).id)));
    expect(bulletinIds.size).toBe(1);
    const event = await json<EventView>(
      await h.request(`/api/v1/disaster/events/${eventId}`, { token: h.tokens.officer }),
    );
    expect(event.bulletins.map((b) => [b.id, b.sequence, b.endReason])).toEqual([
      [[...bulletinIds][0], 1, null],
    ]);
    const events = await json<{ items: { name: string }[] }>(
      await h.request('/api/v1/disaster/events', { token: h.tokens.officer }),
    );
    expect(events.items.filter((e) => e.name === 'Lũ quét')).toHaveLength(1);

    // The key named that bulletin: another under it is refused.
    const other = await send(
      path,
      { ...bulletin, riskLevel: 5, announcementId: (await content('Lũ quét, tin số 2')).id },
      `bt-${dialect}-1`,
    );
    expect(other.status).toBe(422);
    await post(`/api/v1/disaster/events/${eventId}/end`, {});
  });

  it('shows a bulletin whose broadcast was cancelled from the schedule as ended, not on the air', async () => {
    const ev = await newEvent('Mưa lớn');
    const c = await content('Mưa lớn, tin số 1');
    const res = await bulletinOf(ev.id, {
      announcementId: c.id,
      riskLevel: 2,
      agency: 'Đài KTTV tỉnh',
      issuedAt: '2026-11-27T07:45:00+07:00',
      hamletIds: ['un-ta'],
    });
    expect(res.status).toBe(201);
    const issued = await json<Bulletin>(res);
    expect(issued.endedAt).toBeNull();
    h.clock.advance(60_000);
    const cancelled = await h.request(`/api/v1/broadcasts/${issued.broadcastId}`, {
      method: 'DELETE',
      token: h.tokens.officer,
    });
    expect(cancelled.status).toBe(200);
    const event = await json<EventView>(
      await h.request(`/api/v1/disaster/events/${ev.id}`, { token: h.tokens.officer }),
    );
    expect(event.bulletins.map((b) => [b.id, b.endReason])).toEqual([[issued.id, 'ended']]);
    expect(event.bulletins[0]!.endedAt).toBe(h.clock.now().toISOString());
    expect(event.bulletins[0]!.airings.every((a) => a.nextAt === null)).toBe(true);
    await post(`/api/v1/disaster/events/${ev.id}/end`, {});
  });

  it('refuses what is not a disaster bulletin, a hamlet head, and another commune’s event', async () => {
    const ev = await newEvent('Sạt lở');
    const general = await createReadyAnnouncement(h, 'Họp thôn', [{ language: 'vi', seconds: 2 }]);
    const wrong = await bulletinOf(ev.id, {
      announcementId: general.id,
      riskLevel: 2,
      agency: 'UBND xã',
      issuedAt: '2026-11-27T07:00:00+07:00',
    });
    expect(wrong.status).toBe(422);
    expect(((await wrong.json()) as { detailVi: string }).detailVi).toMatch(
      /không thuộc loại bản tin thiên tai/,
    );

    const level = await bulletinOf(ev.id, {
      announcementId: (await content('Sạt lở, tin 1')).id,
      riskLevel: 6,
      agency: 'UBND xã',
      issuedAt: '2026-11-27T07:00:00+07:00',
    });
    expect(level.status).toBe(400);

    const byHead = await post(
      `/api/v1/disaster/events/${ev.id}/bulletins`,
      { announcementId: general.id, riskLevel: 2, agency: 'x', issuedAt: '2026-11-27T07:00:00+07:00' },
      h.tokens.head,
    );
    expect(byHead.status).toBe(403);
    expect(
      (await h.request('/api/v1/disaster/events/no-such-event', { token: h.tokens.officer })).status,
    ).toBe(404);
    await post(`/api/v1/disaster/events/${ev.id}/end`, {});
  });
});
