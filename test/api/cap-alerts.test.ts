import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LoaEvent } from '../../src/domain/ports/events.js';
import type { TtsEngine } from '../../src/domain/ports/tts.js';
import type { Manifest } from '../../src/domain/receiver/protocol.js';
import { createEspeakEngine } from '../../src/media/tts/espeak.js';
import { capXml, geocodeCocSan, SENDER } from '../support/cap-fixtures.js';
import { dialects } from '../support/databases.js';
import { createHarness, provinceAdminPassword, type Harness } from '../support/harness.js';
import { createDevice } from '../support/receiver-fixtures.js';

const HOUR = 3_600_000;
// The harness clock starts at 2026-11-27T01:00Z = 08:00 in Asia/Ho_Chi_Minh.

interface Intake {
  id: string;
  duplicate: boolean;
  level: string;
  communes: { communeId: string; hamletIds: string[]; state: string }[];
}
interface Item {
  id: string;
  alertId: string;
  state: string;
  announcementId: string;
  eventId: string;
  bulletinId: string | null;
  headline: string;
}

describe.each(dialects)('CAP 1.2 alerts in, on %s', (dialect) => {
  let h: Harness;
  let alertsToken: string;
  let exportToken: string;
  let unTa: { token: string };
  let thon2: { token: string };
  let events: LoaEvent[] = [];
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
    const login = await h.request('/api/v1/auth/login', {
      method: 'POST',
      json: { username: 'tinh', password: provinceAdminPassword },
    });
    const province = ((await login.json()) as { token: string }).token;
    const token = async (scopes: string[]) => {
      const res = await h.request('/api/v1/province/tokens', {
        method: 'POST',
        token: province,
        json: { name: `Hệ thống cảnh báo ${scopes.join(',')}`, scopes },
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { secret: string }).secret;
    };
    alertsToken = await token(['alerts:write']);
    exportToken = await token(['export:read']);
    for (const [id, lat, lon] of [
      ['un-ta', 22.45, 103.96],
      ['thon-2', 22.5, 104.02],
    ] as const) {
      const res = await h.request(`/api/v1/hamlets/${id}`, {
        method: 'PATCH',
        token: h.tokens.admin,
        json: { lat, lon },
      });
      expect(res.status).toBe(200);
    }
    unTa = await createDevice(h, 'un-ta');
    thon2 = await createDevice(h, 'thon-2');
  });
  afterAll(() => h.close());
  beforeEach(() => {
    events = [];
  });

  const push = (xml: string, token: string | undefined = alertsToken, type = 'application/cap+xml') =>
    h.request('/api/v1/alerts/cap', {
      method: 'POST',
      token,
      headers: { 'content-type': type },
      body: xml,
    });
  const manifest = async (box: { token: string }) =>
    (await (await h.request('/api/v1/receiver/schedule', { token: box.token })).json()) as Manifest;
  const items = async () =>
    (
      (await (await h.request('/api/v1/alerts/cap', { token: h.tokens.officer })).json()) as {
        items: Item[];
      }
    ).items;
  const future = (m: Manifest) => m.items.filter((i) => i.at >= h.clock.now().toISOString());
  /** The item is cancelled, both hamlets' boxes are told to stop, and nothing is left to air. */
  const expectCancelled = async (itemId: string) => {
    expect((await items()).find((i) => i.id === itemId)!.state).toBe('cancelled');
    expect(events.flatMap((e) => (e.type === 'stop' ? e.hamletIds : []))).toEqual(
      expect.arrayContaining(['un-ta', 'thon-2']),
    );
    expect(future(await manifest(unTa))).toEqual([]);
    expect(future(await manifest(thon2))).toEqual([]);
  };

  it('airs a severe, immediate, observed alert at once on the hamlets inside its polygon, header first, never reading its web address', async () => {
    const before = spoken.length;
    const res = await push(capXml({ identifier: 'LC-2026-001' }));
    expect(res.status).toBe(202);
    const intake = (await res.json()) as Intake;
    expect(intake).toMatchObject({
      duplicate: false,
      level: 'emergency',
      communes: [{ communeId: 'coc-san', hamletIds: ['un-ta'], state: 'aired' }],
    });
    const said = spoken.slice(before);
    expect(said).toContain(
      'Cảnh báo lũ quét trên suối Ún Tà. Người dân không qua suối, di chuyển lên chỗ cao. Mưa lớn 150 mm trong 6 giờ qua. Xem.',
    );
    expect(said).toContain('Bản tin phát lúc 7 giờ 45 ngày 27 tháng 11 năm 2026.');
    expect(said.join(' ')).not.toMatch(/https?:|kttv\.example|<|&/);

    const parts = future(await manifest(unTa)).filter((i) => i.title === 'Cảnh báo lũ quét trên suối Ún Tà');
    expect(parts[0]).toMatchObject({ part: 0, at: '2026-11-27T01:00:00.000Z', priority: 'emergency' });
    expect(parts[1]).toMatchObject({
      part: 1,
      at: new Date(Date.parse(parts[0]!.at) + parts[0]!.durationMs).toISOString(),
    });
    expect(future(await manifest(thon2)).some((i) => i.title === 'Cảnh báo lũ quét trên suối Ún Tà')).toBe(
      false,
    );
    expect(events).toContainEqual(expect.objectContaining({ type: 'emergency' }));

    const [item] = await items();
    expect(item).toMatchObject({
      alertId: intake.id,
      state: 'aired',
      headline: 'Cảnh báo lũ quét trên suối Ún Tà',
    });
    const event = (await (
      await h.request(`/api/v1/disaster/events/${item!.eventId}`, { token: h.tokens.officer })
    ).json()) as {
      hazardType: string;
      bulletins: { riskLevel: number; agency: string; issuedAt: string }[];
    };
    expect(event).toMatchObject({
      hazardType: 'flash_flood',
      bulletins: [
        { riskLevel: 3, agency: 'Đài Khí tượng Thủy văn tỉnh Lào Cai', issuedAt: '2026-11-27T00:45:00.000Z' },
      ],
    });
  });

  it('answers a duplicate (same sender, identifier and sent) with 200 and the first answer, airing nothing more', async () => {
    const before = spoken.length;
    const count = (await items()).length;
    const res = await push(capXml({ identifier: 'LC-2026-001' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      duplicate: true,
      communes: [{ communeId: 'coc-san', state: 'aired' }],
    });
    expect(spoken.length).toBe(before);
    expect((await items()).length).toBe(count);
  });

  it('replaces the earlier alert with an Update (its repeats end), and a Cancel stops it on the boxes', async () => {
    const ref = `${SENDER},LC-2026-001,2026-11-27T07:45:00+07:00`;
    h.clock.advance(HOUR);
    const res = await push(
      capXml({
        identifier: 'LC-2026-002',
        msgType: 'Update',
        references: ref,
        sent: '2026-11-27T08:50:00+07:00',
        headline: 'Cập nhật: lũ quét lan rộng toàn xã',
        area: geocodeCocSan,
      }),
    );
    expect(res.status).toBe(202);
    const update = (await res.json()) as Intake;
    expect(update.communes[0]!.hamletIds).toEqual(expect.arrayContaining(['un-ta', 'thon-2']));
    expect(update.communes[0]!.state).toBe('aired');
    const all = await items();
    expect(all.find((i) => i.headline === 'Cảnh báo lũ quét trên suối Ún Tà')!.state).toBe('replaced');
    const titles = (m: Manifest) => new Set(future(m).map((i) => i.title));
    expect(titles(await manifest(unTa))).toEqual(new Set(['Cập nhật: lũ quét lan rộng toàn xã']));
    expect(titles(await manifest(thon2))).toEqual(new Set(['Cập nhật: lũ quét lan rộng toàn xã']));
    const updated = all.find((i) => i.headline === 'Cập nhật: lũ quét lan rộng toàn xã')!;
    // The Update stays in the event of what it updates: bulletin 2 replaced bulletin 1.
    expect(updated.eventId).toBe(all.find((i) => i.headline === 'Cảnh báo lũ quét trên suối Ún Tà')!.eventId);

    events = [];
    const cancel = await push(
      capXml({
        identifier: 'LC-2026-003',
        msgType: 'Cancel',
        references: `${SENDER},LC-2026-002,2026-11-27T08:50:00+07:00`,
        sent: '2026-11-27T09:00:00+07:00',
      }),
    );
    expect(cancel.status).toBe(202);
    await expectCancelled(updated.id);
    h.clock.advance(-HOUR);
  });

  it('stops the Update too when a Cancel names only the alert it updated', async () => {
    const sent = (minute: number) => `2026-11-27T08:${String(minute).padStart(2, '0')}:00+07:00`;
    const first = await push(
      capXml({ identifier: 'LC-2026-050', sent: sent(1), headline: 'Sạt lở đất', area: geocodeCocSan }),
    );
    expect(first.status).toBe(202);
    const update = await push(
      capXml({
        identifier: 'LC-2026-051',
        msgType: 'Update',
        references: `${SENDER},LC-2026-050,${sent(1)}`,
        sent: sent(2),
        headline: 'Cập nhật: sạt lở đất lan rộng',
        area: geocodeCocSan,
      }),
    );
    expect(update.status).toBe(202);
    const updated = (await items()).find((i) => i.headline === 'Cập nhật: sạt lở đất lan rộng')!;
    expect(updated.state).toBe('aired');

    // A drill or a test naming the real alert leaves it on the air: CAP asks to disregard them.
    events = [];
    for (const [identifier, status, msgType] of [
      ['LC-2026-DRILL-1', 'Exercise', 'Cancel'],
      ['LC-2026-TEST-1', 'Test', 'Update'],
      ['LC-2026-DRAFT-1', 'Draft', 'Cancel'],
    ] as const) {
      const practice = await push(
        capXml({
          identifier,
          status,
          msgType,
          references: `${SENDER},LC-2026-050,${sent(1)}`,
          sent: sent(3),
        }),
      );
      expect(practice.status).toBe(202);
    }
    expect((await items()).find((i) => i.id === updated.id)!.state).toBe('aired');
    expect(events.filter((e) => e.type === 'stop')).toEqual([]);
    expect(future(await manifest(unTa)).map((i) => i.title)).toContain('Cập nhật: sạt lở đất lan rộng');

    events = [];
    const cancel = await push(
      capXml({
        identifier: 'LC-2026-052',
        msgType: 'Cancel',
        references: `${SENDER},LC-2026-050,${sent(1)}`,
        sent: sent(3),
      }),
    );
    expect(cancel.status).toBe(202);
    await expectCancelled(updated.id);
  });

  it("refuses another sender's Cancel or Update of an alert, leaving it on the air; its own sender's Cancel still stops it", async () => {
    const other = 'canh-bao@nguon-khac.example.vn';
    const sent = (minute: number) => `2026-11-27T08:${String(minute).padStart(2, '0')}:00+07:00`;
    const first = await push(
      capXml({
        identifier: 'LC-2026-060',
        sent: sent(4),
        headline: 'Lũ ống suối Nậm Thi',
        area: geocodeCocSan,
      }),
    );
    expect(first.status).toBe(202);
    const aired = (await items()).find((i) => i.headline === 'Lũ ống suối Nậm Thi')!;
    expect(aired.state).toBe('aired');
    const count = (await items()).length;

    events = [];
    const ref = `${SENDER},LC-2026-060,${sent(4)}`;
    for (const [identifier, msgType, references] of [
      ['OT-1', 'Cancel', ref],
      ['OT-2', 'Update', ref],
      // One reference of its own beside the other sender's: refused whole, nothing taken off.
      ['OT-3', 'Cancel', `${other},OT-0,${sent(3)} ${ref}`],
    ] as const) {
      const res = await push(
        capXml({ identifier, sender: other, msgType, references, sent: sent(5), area: geocodeCocSan }),
      );
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const problem = (await res.json()) as { type: string; detail: string; detailVi: string };
      expect(problem.type).toBe('urn:loa:problem:cap_foreign_reference');
      expect(problem.detail).toContain(`${SENDER},LC-2026-060`);
      expect(problem.detailVi).toMatch(/chỉ được hủy hoặc cập nhật cảnh báo của chính mình/);
    }
    expect((await items()).find((i) => i.id === aired.id)!.state).toBe('aired');
    expect((await items()).length).toBe(count);
    expect(events.filter((e) => e.type === 'stop')).toEqual([]);
    expect(future(await manifest(unTa)).map((i) => i.title)).toContain('Lũ ống suối Nậm Thi');

    events = [];
    const cancel = await push(
      capXml({ identifier: 'LC-2026-061', msgType: 'Cancel', references: ref, sent: sent(5) }),
    );
    expect(cancel.status).toBe(202);
    await expectCancelled(aired.id);
  });

  it('ends the earlier bulletin when its Update cannot air and waits for review, never leaving it marked replaced on the air', async () => {
    const local = (ms: number) => new Date(ms + 7 * HOUR).toISOString().slice(0, 19) + '+07:00';
    const now = h.clock.now().getTime();
    const first = await push(
      capXml({
        identifier: 'LC-2026-070',
        sent: local(now - 60_000),
        headline: 'Mưa đá',
        area: geocodeCocSan,
      }),
    );
    expect(first.status).toBe(202);
    const original = (await items()).find((i) => i.headline === 'Mưa đá')!;
    expect(original.state).toBe('aired');
    // The sender's clock runs ten minutes ahead: the Update's issue time is still to come, so it is not
    // read out as issued; it waits for the officer.
    const update = await push(
      capXml({
        identifier: 'LC-2026-071',
        msgType: 'Update',
        references: `${SENDER},LC-2026-070,${local(now - 60_000)}`,
        sent: local(now + 10 * 60_000),
        headline: 'Cập nhật: mưa đá lan rộng',
        area: geocodeCocSan,
      }),
    );
    expect(update.status).toBe(202);
    const after = await items();
    expect(after.find((i) => i.headline === 'Cập nhật: mưa đá lan rộng')!.state).toBe('review');
    expect(after.find((i) => i.id === original.id)!.state).toBe('replaced');
    // Replaced means off the air: nothing of the outdated warning is left to play.
    expect(future(await manifest(unTa)).map((i) => i.title)).not.toContain('Mưa đá');
    expect(future(await manifest(thon2)).map((i) => i.title)).not.toContain('Mưa đá');
  });

  it('places a moderate alert first in the next standing slot, header first; a Cancel takes it off', async () => {
    const res = await push(
      capXml({
        identifier: 'LC-2026-030',
        severity: 'Moderate',
        urgency: 'Expected',
        event: 'Nắng nóng',
        headline: 'Nắng nóng gay gắt chiều nay',
      }),
    );
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({
      level: 'priority',
      communes: [{ hamletIds: ['un-ta'], state: 'aired' }],
    });
    // 08:00 now: the evening slot opens at 17:00 (10:00Z).
    const parts = future(await manifest(unTa)).filter((i) => i.title === 'Nắng nóng gay gắt chiều nay');
    expect(parts.map((p) => [p.part, p.priority])).toEqual([
      [0, 'priority'],
      [1, 'priority'],
    ]);
    expect(parts[0]!.at).toBe('2026-11-27T10:00:00.000Z');
    const cancel = await push(
      capXml({
        identifier: 'LC-2026-031',
        msgType: 'Cancel',
        references: `${SENDER},LC-2026-030,2026-11-27T07:45:00+07:00`,
      }),
    );
    expect(cancel.status).toBe(202);
    expect((await items()).find((i) => i.headline === 'Nắng nóng gay gắt chiều nay')!.state).toBe(
      'cancelled',
    );
    expect(future(await manifest(unTa)).some((i) => i.title === 'Nắng nóng gay gắt chiều nay')).toBe(false);
  });

  it('queues a possible or minor alert for the officer, who approves it and airs it', async () => {
    const res = await push(
      capXml({
        identifier: 'LC-2026-010',
        severity: 'Moderate',
        urgency: 'Future',
        certainty: 'Possible',
        event: 'Rét hại',
        headline: 'Dự báo rét hại từ ngày 29 tháng 11',
        area: geocodeCocSan,
      }),
    );
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ level: 'review', communes: [{ state: 'review' }] });
    const item = (await items()).find((i) => i.headline === 'Dự báo rét hại từ ngày 29 tháng 11')!;
    expect(future(await manifest(unTa)).some((i) => i.title === item.headline)).toBe(false);

    // Not approved yet: airing it is refused with the reason.
    const early = await h.request(`/api/v1/alerts/cap/${item.id}/air`, {
      method: 'POST',
      token: h.tokens.officer,
    });
    expect(early.status).toBe(422);
    expect(((await early.json()) as { detailVi: string }).detailVi).toMatch(/chưa được văn phòng xã duyệt/);
    expect(
      (
        await h.request(`/api/v1/announcements/${item.announcementId}/approve`, {
          method: 'POST',
          token: h.tokens.officer,
        })
      ).status,
    ).toBe(200);
    const aired = await h.request(`/api/v1/alerts/cap/${item.id}/air`, {
      method: 'POST',
      token: h.tokens.officer,
    });
    expect(aired.status).toBe(200);
    expect(await aired.json()).toMatchObject({ state: 'aired', bulletinId: expect.any(String) });
    expect(future(await manifest(unTa)).some((i) => i.title === item.headline)).toBe(true);
    // A hamlet head may look, not air.
    expect(
      (await h.request(`/api/v1/alerts/cap/${item.id}/air`, { method: 'POST', token: h.tokens.head })).status,
    ).toBe(403);
    await h.request(`/api/v1/disaster/events/${item.eventId}/end`, {
      method: 'POST',
      token: h.tokens.officer,
      json: {},
    });
  });

  it('airs a queued alert once when two officers press "Phát" at once, and not at all once it has expired', async () => {
    const queued = async (identifier: string, headline: string, expires?: string) => {
      const res = await push(
        capXml({
          identifier,
          severity: 'Moderate',
          urgency: 'Future',
          certainty: 'Possible',
          event: 'Rét hại',
          headline,
          area: geocodeCocSan,
          ...(expires && { expires }),
        }),
      );
      expect(res.status).toBe(202);
      const item = (await items()).find((i) => i.headline === headline)!;
      const approved = await h.request(`/api/v1/announcements/${item.announcementId}/approve`, {
        method: 'POST',
        token: h.tokens.officer,
      });
      expect(approved.status).toBe(200);
      return item;
    };
    const air = (id: string) =>
      h.request(`/api/v1/alerts/cap/${id}/air`, { method: 'POST', token: h.tokens.officer });
    const bulletinsOf = (eventId: string) =>
      h.runtime.db.kysely
        .selectFrom('disaster_bulletins')
        .select('id')
        .where('event_id', '=', eventId)
        .execute();

    const twice = await queued('LC-2026-060', 'Rét đậm từ đêm nay');
    const answers = await Promise.all([air(twice.id), air(twice.id)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(await bulletinsOf(twice.eventId)).toHaveLength(1);
    await h.request(`/api/v1/disaster/events/${twice.eventId}/end`, {
      method: 'POST',
      token: h.tokens.officer,
      json: {},
    });

    // It expires ten minutes from now; the officer gets to it eleven minutes on.
    const inVietnam = (ms: number) => `${new Date(ms + 7 * HOUR).toISOString().slice(0, 19)}+07:00`;
    const expires = inVietnam(h.clock.now().getTime() + 10 * 60_000);
    const late = await queued('LC-2026-061', 'Rét đậm ngắn hạn', expires);
    h.clock.advance(11 * 60_000);
    const refused = await air(late.id);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { detailVi: string }).detailVi).toMatch(/đã hết hạn/);
    expect(await bulletinsOf(late.eventId)).toHaveLength(0);
    expect((await items()).find((i) => i.id === late.id)!.state).toBe('expired');
    expect(future(await manifest(unTa)).some((i) => i.title === late.headline)).toBe(false);
    h.clock.advance(-11 * 60_000);
  });

  it('takes an alert off the air when it expires, on the dispatcher tick', async () => {
    const res = await push(
      capXml({
        identifier: 'LC-2026-020',
        headline: 'Sạt lở đất tại Ún Tà',
        event: 'Sạt lở đất',
        expires: '2026-11-27T11:00:00+07:00',
      }),
    );
    expect(res.status).toBe(202);
    expect(future(await manifest(unTa)).some((i) => i.title === 'Sạt lở đất tại Ún Tà')).toBe(true);
    h.clock.advance(3 * HOUR + 60_000); // 11:01
    await h.runtime.dispatcher.tick();
    expect((await items()).find((i) => i.headline === 'Sạt lở đất tại Ún Tà')!.state).toBe('expired');
    expect(future(await manifest(unTa)).some((i) => i.title === 'Sạt lở đất tại Ún Tà')).toBe(false);
    h.clock.advance(-(3 * HOUR + 60_000));
  });

  describe('refuses, clearly and without reading anything aloud', () => {
    const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
${capXml({ identifier: 'LOL', headline: '&lol3;' }).replace(/^<\?xml[^>]*>\s*/, '')}`;
    const cases: [string, () => string, number, RegExp][] = [
      [
        'malformed XML',
        () => capXml({ identifier: 'BAD-1' }).replace('</info>', ''),
        400,
        /không phải XML hợp lệ/,
      ],
      [
        'the wrong namespace',
        () => capXml({ identifier: 'BAD-2', namespace: 'urn:oasis:names:tc:emergency:cap:1.1' }),
        422,
        /không gian tên/,
      ],
      [
        'an expired alert',
        () => capXml({ identifier: 'BAD-3', expires: '2026-11-27T07:59:00+07:00' }),
        422,
        /hết hạn/,
      ],
      ['XML entity expansion (billion laughs)', () => billionLaughs, 400, /DTD hoặc thực thể/],
      [
        'a document over 256 KB',
        () => capXml({ identifier: 'BAD-5', description: 'mưa '.repeat(70_000) }),
        413,
        /256 KB/,
      ],
      [
        'an alert off the schema (no urgency, bad severity)',
        () => capXml({ identifier: 'BAD-6', severity: 'Huge' }),
        422,
        /info\.0\.severity/,
      ],
      ['a bad date', () => capXml({ identifier: 'BAD-7', sent: '2026-11-27 07:45' }), 422, /sent/],
      [
        'a signed alert it cannot verify',
        () =>
          capXml({
            identifier: 'BAD-8',
            extra: '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo/></Signature>',
          }),
        422,
        /chữ ký số/,
      ],
      [
        'an Update without references',
        () => capXml({ identifier: 'BAD-9', msgType: 'Update' }),
        422,
        /references/,
      ],
      [
        'a character reference to no character',
        () => capXml({ identifier: 'BAD-10', headline: 'Lũ quét &#x110000;' }),
        400,
        /không phải XML hợp lệ/,
      ],
      [
        'an element named like a JavaScript built-in',
        () => capXml({ identifier: 'BAD-11', extra: '<constructor>x</constructor>' }),
        400,
        /không phải XML hợp lệ/,
      ],
    ];
    it.each(cases)('%s', async (_name, xml, status, message) => {
      const before = spoken.length;
      const count = (await items()).length;
      const res = await push(xml());
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const problem = (await res.json()) as { detail: string; detailVi: string };
      expect(`${problem.detail} ${problem.detailVi}`).toMatch(message);
      expect(spoken.length).toBe(before);
      expect((await items()).length).toBe(count);
    });

    it('a token without alerts:write, no token, or something that is not XML', async () => {
      expect((await push(capXml({ identifier: 'T-1' }), exportToken)).status).toBe(403);
      expect((await push(capXml({ identifier: 'T-2' }), '')).status).toBe(401);
      expect((await push(capXml({ identifier: 'T-3' }), h.tokens.officer)).status).toBe(401);
      const json = await push('{"identifier":"x"}', alertsToken, 'application/json');
      expect(json.status).toBe(415);
    });
  });
});
