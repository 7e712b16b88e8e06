import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoaEvent } from '../../src/domain/ports/events.js';
import { iso } from '../../src/domain/schedule/index.js';
import { sendBulletin as send } from '../support/bulletins.js';
import { dialects } from '../support/databases.js';
import { ffmpegFixture } from '../support/audio-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import {
  otherCommune,
  otherHamletLanguages,
  provinceFixture,
  setOtherHamletLanguages,
  type ProvinceFixture,
} from '../support/province.js';
import { device, report } from '../support/province-scenario.js';
import { createReadyAnnouncement, makeTone, scheduleBroadcast } from '../support/receiver-fixtures.js';

// The harness clock starts at 2026-11-27T01:00Z = 08:00 in Asia/Ho_Chi_Minh.
interface Delivery {
  communeId: string;
  communeName: string;
  announcementId: string;
  decision: string;
  status: string;
  broadcastIds: string[];
  firstAiringAt: string | null;
  declineReason: string | null;
  decidedBy: string | null;
  airedReceivers: number;
  slotPlace: string | null;
}
interface BulletinView {
  id: string;
  level: string;
  sentAt: string | null;
  deliveries: Delivery[];
}

/**
 * Bulletins from the province at the three levels of Thông tư 39/2020, end to end through the API, the
 * audio pipeline (a typed text read by espeak-ng and levelled by ffmpeg) and the receiver protocol.
 */
describe.each(dialects)('province bulletins on %s', (dialect) => {
  let h: Harness;
  let p: ProvinceFixture;
  let events: LoaEvent[] = [];
  const body = async (res: Response) => (await res.json()) as any;

  beforeAll(async () => {
    h = await createHarness(dialect);
    p = await provinceFixture(h);
    h.runtime.bus.subscribe((e) => events.push(e));
  });
  afterAll(() => h.close());

  const sendBulletin = (
    level: 'normal' | 'priority' | 'emergency',
    communeIds: 'all' | string[],
    extra: Record<string, unknown> = {},
  ) => send(h, p.tokens.provinceOfficer, level, communeIds, extra);

  const view = async (id: string): Promise<BulletinView> => {
    const res = await h.request(`/api/v1/province/bulletins/${id}`, { token: p.tokens.provinceOfficer });
    expect(res.status).toBe(200);
    return body(res);
  };
  const of = (v: BulletinView, communeId: string) => v.deliveries.find((d) => d.communeId === communeId)!;
  /** A bulletin from a recording, posted as the province officer's page sends it: its id. */
  const sendRecording = async (form: FormData): Promise<string> => {
    const created = await h.request('/api/v1/province/bulletins', {
      method: 'POST',
      token: p.tokens.provinceOfficer,
      body: form,
    });
    expect(created.status, await created.clone().text()).toBe(202);
    return (await body(created)).id;
  };

  it('normal: in both inboxes; Cốc San schedules it and a box airs it, Quảng Kim declines with a reason', async () => {
    h.clock.set('2026-11-27T01:00:00.000Z');
    const { id, placements } = await sendBulletin('normal', ['coc-san', otherCommune], {
      answerBy: '2026-11-28T17:00:00+07:00',
    });
    expect(placements).toEqual([]);
    const again = await h.request(`/api/v1/province/bulletins/${id}/send`, {
      method: 'POST',
      token: p.tokens.provinceOfficer,
    });
    expect(again.status).toBe(409);

    let v = await view(id);
    expect(v.deliveries.map((d) => [d.communeId, d.status]).sort()).toEqual([
      ['coc-san', 'received'],
      [otherCommune, 'received'],
    ]);
    const inbox = await body(await h.request('/api/v1/bulletins', { token: h.tokens.officer }));
    expect(inbox.items.map((i: any) => i.bulletin.id)).toContain(id);
    const qkInbox = await body(await h.request('/api/v1/bulletins', { token: p.other.tokens.officer }));
    expect(qkInbox.items.map((i: any) => i.bulletin.id)).toContain(id);

    // Quảng Kim: a refusal needs a reason.
    const bare = await h.request(`/api/v1/bulletins/${id}/decline`, {
      method: 'POST',
      token: p.other.tokens.officer,
      json: { reason: '   ' },
    });
    expect(bare.status).toBe(422);
    expect(bare.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const none = await h.request(`/api/v1/bulletins/${id}/decline`, {
      method: 'POST',
      token: p.other.tokens.officer,
      json: {},
    });
    expect(none.status).toBe(422);
    expect((await view(id)).deliveries.find((d) => d.communeId === otherCommune)!.decision).toBe('received');
    const declined = await h.request(`/api/v1/bulletins/${id}/decline`, {
      method: 'POST',
      token: p.other.tokens.officer,
      json: { reason: 'Xã đã phát nội dung này tuần trước.' },
    });
    expect(declined.status, await declined.clone().text()).toBe(200);
    expect((await body(declined)).status).toBe('declined');

    // Cốc San: tomorrow 09:00 in Ún Tà, through the commune's own booking rules.
    const scheduled = await h.request(`/api/v1/bulletins/${id}/schedule`, {
      method: 'POST',
      token: h.tokens.officer,
      json: { hamletIds: ['un-ta'], at: '2026-11-28T09:00:00+07:00' },
    });
    expect(scheduled.status, await scheduled.clone().text()).toBe(201);
    const booking = await body(scheduled);
    expect(booking.occurrences).toEqual([
      expect.objectContaining({ hamletId: 'un-ta', at: '2026-11-28T02:00:00.000Z' }),
    ]);
    const twice = await h.request(`/api/v1/bulletins/${id}/decline`, {
      method: 'POST',
      token: h.tokens.officer,
      json: { reason: 'Đổi ý' },
    });
    expect(twice.status).toBe(409);

    v = await view(id);
    expect(of(v, 'coc-san')).toMatchObject({
      status: 'scheduled',
      broadcastIds: [booking.id],
      firstAiringAt: '2026-11-28T02:00:00.000Z',
      decidedBy: h.userIds.officer,
    });
    expect(of(v, otherCommune)).toMatchObject({
      status: 'declined',
      declineReason: 'Xã đã phát nội dung này tuần trước.',
      decidedBy: p.other.userIds.officer,
    });

    // A box of Ún Tà gets it in its manifest and reports playing it.
    const box = await device(h, h.tokens.admin, 'un-ta', 'Cụm loa bản tin');
    h.clock.set('2026-11-28T01:50:00.000Z');
    const manifest = await body(await h.request('/api/v1/receiver/schedule', { token: box.token }));
    const item = manifest.items.find((i: any) => i.occurrenceId === booking.occurrences[0].id);
    expect(item).toBeDefined();
    h.clock.set('2026-11-28T02:00:05.000Z');
    await report(h, box.token, [
      { id: 'b1', occurrenceId: item.occurrenceId, type: 'started', at: '2026-11-28T02:00:00.000Z' },
      { id: 'b2', occurrenceId: item.occurrenceId, type: 'completed', at: '2026-11-28T02:00:04.000Z' },
    ]);
    v = await view(id);
    expect(of(v, 'coc-san')).toMatchObject({ status: 'aired', airedReceivers: 1 });
    expect(of(v, otherCommune).status).toBe('declined');

    // The province's roll-up lists it with each commune's status.
    const rollup = await body(
      await h.request('/api/v1/province/rollup?from=2026-11-27&to=2026-11-28', {
        token: p.tokens.provinceOfficer,
      }),
    );
    expect(rollup.bulletins).toContainEqual({
      bulletinId: id,
      title: expect.any(String),
      level: 'normal',
      sentAt: '2026-11-27T01:00:00.000Z',
      communes: [
        { communeId: 'coc-san', status: 'aired', airedReceivers: 1 },
        { communeId: otherCommune, status: 'declined', airedReceivers: 0 },
      ],
    });
    const before = await body(
      await h.request('/api/v1/province/rollup?from=2026-11-20&to=2026-11-26', {
        token: p.tokens.provinceOfficer,
      }),
    );
    expect(before.bulletins.map((b: any) => b.bulletinId)).not.toContain(id);

    // Every decision is in the audit log with who made it.
    const audit = await h.runtime.repos.audit.listRecentAudit(500);
    const actions = audit.filter((a) => a.targetId === id).map((a) => [a.action, a.actorId]);
    expect(actions).toEqual(
      expect.arrayContaining([
        ['bulletin.create', p.userIds.provinceOfficer],
        ['bulletin.send', p.userIds.provinceOfficer],
        ['bulletin.decline', p.other.userIds.officer],
        ['bulletin.schedule', h.userIds.officer],
      ]),
    );
  });

  it('a bulletin from a recording; a commune adds its own Giáy version to its copy before it airs', async () => {
    h.clock.set('2026-11-29T01:00:00.000Z');
    const tone = makeTone(3, 660);
    const form = new FormData();
    form.set('title', 'Bản tin ghi âm của tỉnh');
    form.set('language', 'vi');
    form.set('category', 'general');
    form.set('level', 'normal');
    form.set('communeIds', `coc-san, ${otherCommune}`);
    form.set('file', new Blob([readFileSync(tone.file)], { type: 'audio/mpeg' }), 'ban-tin.mp3');
    const id = await sendRecording(form);
    await h.runtime.jobs.drain();
    const sent = await h.request(`/api/v1/province/bulletins/${id}/send`, {
      method: 'POST',
      token: p.tokens.provinceOfficer,
    });
    expect(sent.status, await sent.clone().text()).toBe(200);
    const v = await view(id);
    expect(v.deliveries.map((d) => d.communeId).sort()).toEqual(['coc-san', otherCommune].sort());

    // Cốc San's copy is an announcement of Cốc San: approved by the province, with the province's audio.
    const copyId = of(v, 'coc-san').announcementId;
    const copy = await body(await h.request(`/api/v1/announcements/${copyId}`, { token: h.tokens.officer }));
    expect(copy).toMatchObject({ status: 'ready', approval: 'approved' });
    expect(copy.variants.map((x: any) => x.language)).toEqual(['vi']);
    // Quảng Kim cannot reach it.
    expect(
      (await h.request(`/api/v1/announcements/${copyId}`, { token: p.other.tokens.officer })).status,
    ).toBe(404);

    const giay = new FormData();
    giay.set('language', 'giay');
    giay.set('file', new Blob([readFileSync(makeTone(2, 550).file)], { type: 'audio/mpeg' }), 'giay.mp3');
    const added = await h.request(`/api/v1/announcements/${copyId}/variants`, {
      method: 'POST',
      token: h.tokens.officer,
      body: giay,
    });
    expect(added.status, await added.clone().text()).toBe(202);
    await h.runtime.jobs.drain();
    await h.request(`/api/v1/announcements/${copyId}/approve`, { method: 'POST', token: h.tokens.officer });
    const withGiay = await body(
      await h.request(`/api/v1/announcements/${copyId}`, { token: h.tokens.officer }),
    );
    expect(withGiay.variants.map((x: any) => [x.language, x.status, x.approval])).toEqual([
      ['vi', 'ready', 'approved'],
      ['giay', 'ready', 'approved'],
    ]);
    // Quảng Kim's copy and the province's content are untouched.
    const qkCopy = await body(
      await h.request(`/api/v1/announcements/${of(v, otherCommune).announcementId}`, {
        token: p.other.tokens.officer,
      }),
    );
    expect(qkCopy.variants.map((x: any) => x.language)).toEqual(['vi']);
    // The province's own content stays out of the lists and the reach of the commune it is kept in.
    const source = (await body(
      await h.request(`/api/v1/province/bulletins/${id}`, { token: p.tokens.provinceOfficer }),
    )) as { announcementId: string };
    for (const [path, method] of [
      [`/api/v1/announcements/${source.announcementId}`, 'GET'],
      [`/api/v1/announcements/${source.announcementId}/withdraw`, 'POST'],
      [`/api/v1/announcements/${source.announcementId}/reject`, 'POST'],
    ] as const) {
      const res = await h.request(path, {
        method,
        token: h.tokens.officer,
        ...(method === 'POST' && { json: { reason: 'Thử' } }),
      });
      expect(res.status, path).toBe(404);
    }
    const direct = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.officer,
      json: { announcementId: source.announcementId, hamletIds: ['un-ta'], at: '2026-11-30T15:00:00+07:00' },
    });
    expect(direct.status).toBe(422);
    expect(await direct.text()).toMatch(/announcementId/);
    const list = await body(await h.request('/api/v1/announcements?limit=200', { token: h.tokens.officer }));
    expect(list.items.map((a: any) => a.id)).toContain(copyId);
    expect(
      list.items.map((a: any) => a.title).filter((t: string) => t === 'Bản tin ghi âm của tỉnh'),
    ).toHaveLength(1);

    // Scheduled in Ún Tà, it plays both versions in the hamlet's order (vi, then giay).
    const booked = await h.request(`/api/v1/bulletins/${id}/schedule`, {
      method: 'POST',
      token: h.tokens.officer,
      json: { hamletIds: ['un-ta'], at: '2026-11-30T14:00:00+07:00' },
    });
    expect(booked.status, await booked.clone().text()).toBe(201);
    const occ = (await body(booked)).occurrences[0];
    expect(occ.durationMs).toBe(
      withGiay.variants[0].audio.durationMs + withGiay.variants[1].audio.durationMs,
    );
  });

  it('takes a recording larger than the 1 MB that bounds a JSON body, streamed like a commune upload', async () => {
    // 12 s of 48 kHz 16-bit WAV: 1.15 MB, what a phone records in a few seconds.
    const wav = ffmpegFixture('bulletin-12s.wav', [
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:duration=12',
      '-ar',
      '48000',
      '-ac',
      '1',
      '-c:a',
      'pcm_s16le',
    ]);
    expect(wav.byteLength).toBeGreaterThan(1024 * 1024);
    const form = new FormData();
    form.set('title', 'Bản tin dài của tỉnh');
    form.set('language', 'vi');
    form.set('level', 'normal');
    form.set('communeIds', 'coc-san');
    form.set('file', new Blob([wav], { type: 'audio/wav' }), 'ban-tin-dai.wav');
    const id = await sendRecording(form);
    expect((await view(id)).id).toBe(id);
  });

  it('normal: a commune that does not answer by the deadline shows as no answer', async () => {
    h.clock.set('2026-11-29T01:00:00.000Z');
    const { id } = await sendBulletin('normal', [otherCommune], { answerBy: '2026-11-29T12:00:00+07:00' });
    expect(of(await view(id), otherCommune).status).toBe('received');
    h.clock.set('2026-11-29T05:00:01.000Z');
    expect(of(await view(id), otherCommune).status).toBe('no_answer');
  });

  it('normal: the same bulletin scheduled twice at once by two requests gives one 201', async () => {
    h.clock.set('2026-11-29T01:00:00.000Z');
    const { id } = await sendBulletin('normal', ['coc-san']);
    const answers = await Promise.all(
      ['2026-11-30T09:00:00+07:00', '2026-11-30T10:00:00+07:00'].map((at) =>
        h.request(`/api/v1/bulletins/${id}/schedule`, {
          method: 'POST',
          token: h.tokens.officer,
          json: { hamletIds: ['thon-4'], at },
        }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    const v = await view(id);
    expect(of(v, 'coc-san').broadcastIds).toHaveLength(1);
    const list = await body(
      await h.request(
        '/api/v1/broadcasts?hamletId=thon-4&from=2026-11-30T00:00:00Z&to=2026-12-01T00:00:00Z',
        {
          token: h.tokens.officer,
        },
      ),
    );
    expect(list.items.filter((b: any) => b.announcementId === of(v, 'coc-san').announcementId)).toHaveLength(
      1,
    );
  });

  it('keeps communes apart and roles to their side', async () => {
    h.clock.set('2026-11-29T01:00:00.000Z');
    const { id } = await sendBulletin('normal', ['coc-san']);
    // Quảng Kim has no delivery of it: 404, as for anything of another commune.
    for (const [path, init] of [
      [`/api/v1/bulletins/${id}`, {}],
      [`/api/v1/bulletins/${id}/decline`, { method: 'POST', json: { reason: 'Không phù hợp' } }],
      [
        `/api/v1/bulletins/${id}/schedule`,
        { method: 'POST', json: { hamletIds: 'all', at: '2026-11-30T09:00:00+07:00' } },
      ],
    ] as const) {
      const res = await h.request(path, { ...init, token: p.other.tokens.officer });
      expect(res.status, path).toBe(404);
    }
    // The province does not answer for a commune; a commune does not issue bulletins.
    const provinceDeclines = await h.request(`/api/v1/bulletins/${id}/decline`, {
      method: 'POST',
      token: p.tokens.provinceOfficer,
      json: { reason: 'Thử' },
    });
    expect(provinceDeclines.status).toBe(403);
    expect((await h.request('/api/v1/bulletins', { token: p.tokens.provinceOfficer })).status).toBe(403);
    const communeIssues = await h.request('/api/v1/province/bulletins', {
      method: 'POST',
      token: h.tokens.officer,
      json: { title: 'X', language: 'vi', text: 'Xin chào', level: 'normal', communeIds: 'all' },
    });
    expect(communeIssues.status).toBe(403);
    expect((await h.request('/api/v1/bulletins', { token: h.tokens.head })).status).toBe(403);
    expect((await h.request(`/api/v1/province/bulletins/${id}`, { token: h.tokens.officer })).status).toBe(
      403,
    );

    // An unknown commune is named.
    const unknown = await h.request('/api/v1/province/bulletins', {
      method: 'POST',
      token: p.tokens.provinceOfficer,
      json: {
        title: 'X',
        language: 'vi',
        text: 'Xin chào',
        level: 'normal',
        communeIds: ['coc-san', 'xa-ma'],
      },
    });
    expect(unknown.status).toBe(422);
    expect((await body(unknown)).detailVi).toMatch(/xa-ma/);
    const deadline = await h.request('/api/v1/province/bulletins', {
      method: 'POST',
      token: p.tokens.provinceOfficer,
      json: {
        title: 'X',
        language: 'vi',
        text: 'Xin chào',
        level: 'emergency',
        communeIds: 'all',
        answerBy: '2026-12-01T00:00:00+07:00',
      },
    });
    expect(deadline.status).toBe(422);
  });

  it('priority: lands in the next standing slot of every hamlet, ahead of the commune’s normal items, and the commune orders it against its own priority items', async () => {
    h.clock.set('2026-11-30T01:00:00.000Z'); // 08:00 local: the next slot is this evening's, 17:00.
    const own = await createReadyAnnouncement(h, 'Lịch họp thôn', [{ language: 'vi', seconds: 3 }]);
    const urgent = await createReadyAnnouncement(h, 'Tin ưu tiên của xã', [{ language: 'vi', seconds: 4 }]);
    const evening = { name: 'evening', date: '2026-11-30' };
    const ownNormal = await scheduleBroadcast(h, {
      announcementId: own.id,
      hamletIds: ['un-ta'],
      slot: evening,
    });
    const ownPriority = await scheduleBroadcast(h, {
      announcementId: urgent.id,
      hamletIds: ['un-ta'],
      slot: evening,
      priority: 'priority',
    });
    const slotStart = Date.parse('2026-11-30T10:00:00.000Z');
    expect(ownPriority.occurrences[0]!.at).toBe(iso(slotStart));

    const { id, placements } = await sendBulletin('priority', ['coc-san', otherCommune]);
    expect(placements).toHaveLength(2);
    expect(placements.every((pl) => pl.broadcastId !== null && pl.problem === null)).toBe(true);
    let v = await view(id);
    expect(v.deliveries.map((d) => d.status)).toEqual(['scheduled', 'scheduled']);
    expect(of(v, 'coc-san')).toMatchObject({ decidedBy: p.userIds.provinceOfficer, slotPlace: null });

    const get = async (broadcastId: string) =>
      body(await h.request(`/api/v1/broadcasts/${broadcastId}`, { token: h.tokens.officer }));
    const bulletinBroadcast = of(v, 'coc-san').broadcastIds[0]!;
    const placed = await get(bulletinBroadcast);
    const hamlets = (await body(await h.request('/api/v1/hamlets', { token: h.tokens.officer }))).items;
    expect(placed.occurrences.map((o: any) => o.hamletId).sort()).toEqual(
      hamlets.map((x: any) => x.id).sort(),
    );
    expect(placed.occurrences.every((o: any) => o.slot === 'evening')).toBe(true);
    // Ún Tà, as booked: the commune's priority item, the bulletin, then the commune's normal item.
    const at = async (broadcastId: string) =>
      Date.parse((await get(broadcastId)).occurrences.find((o: any) => o.hamletId === 'un-ta').at);
    const lengthOf = async (broadcastId: string) =>
      (await get(broadcastId)).occurrences.find((o: any) => o.hamletId === 'un-ta').durationMs as number;
    const [pLen, bLen] = [await lengthOf(ownPriority.id), await lengthOf(bulletinBroadcast)];
    expect(await at(ownPriority.id)).toBe(slotStart);
    expect(await at(bulletinBroadcast)).toBe(slotStart + pLen);
    expect(await at(ownNormal.id)).toBe(slotStart + pLen + bLen);
    // Elsewhere the bulletin opens the slot.
    expect(placed.occurrences.find((o: any) => o.hamletId === 'thon-4').at).toBe(iso(slotStart));

    // The commune puts it first; its normal item keeps its time.
    const byProvince = await h.request(`/api/v1/bulletins/${id}/order`, {
      method: 'POST',
      token: p.tokens.provinceOfficer,
      json: { place: 'first' },
    });
    expect(byProvince.status).toBe(403);
    const ordered = await h.request(`/api/v1/bulletins/${id}/order`, {
      method: 'POST',
      token: h.tokens.officer,
      json: { place: 'first' },
    });
    expect(ordered.status, await ordered.clone().text()).toBe(200);
    expect(await at(bulletinBroadcast)).toBe(slotStart);
    expect(await at(ownPriority.id)).toBe(slotStart + bLen);
    expect(await at(ownNormal.id)).toBe(slotStart + pLen + bLen);
    v = await view(id);
    expect(of(v, 'coc-san').slotPlace).toBe('first');

    // The order holds when the slot is packed again: a later normal item goes after everything.
    const later = await scheduleBroadcast(h, { announcementId: own.id, hamletIds: ['un-ta'], slot: evening });
    expect(await at(bulletinBroadcast)).toBe(slotStart);
    expect(await at(later.id)).toBe(slotStart + pLen + bLen + (await lengthOf(ownNormal.id)));

    // Quảng Kim has no priority item of its own in that slot: nothing to order.
    const qk = await h.request(`/api/v1/bulletins/${id}/order`, {
      method: 'POST',
      token: p.other.tokens.officer,
      json: { place: 'after_commune_priority' },
    });
    expect(qk.status).toBe(409);
    const back = await h.request(`/api/v1/bulletins/${id}/order`, {
      method: 'POST',
      token: h.tokens.officer,
      json: { place: 'after_commune_priority' },
    });
    expect(back.status).toBe(200);
    expect(await at(ownPriority.id)).toBe(slotStart);
    expect(await at(bulletinBroadcast)).toBe(slotStart + pLen);
  });

  it('emergency: plays at once in two communes, through quiet hours, with per-receiver proof', async () => {
    h.clock.set('2026-11-30T15:30:00.000Z'); // 22:30 local: quiet hours.
    const a = await device(h, h.tokens.admin, 'thon-5', 'Cụm loa khẩn 1');
    const q = await device(h, p.other.tokens.admin, 'qk-thon-1', 'Cụm loa khẩn 2');
    events = [];
    const { id, placements } = await sendBulletin('emergency', ['coc-san', otherCommune]);
    expect(placements.map((pl) => pl.problem)).toEqual([null, null]);
    // Both communes' broadcasts are one booking, pushed as one event that reaches both hamlets.
    const pushed = events.filter((e) => e.type === 'emergency');
    expect(pushed).toHaveLength(1);
    const [push] = pushed as Extract<LoaEvent, { type: 'emergency' }>[];
    const reached = await h.runtime.services.receiverSync.emergencyItems(push!.bookingId, push!.dueBy, [
      'thon-5',
      'qk-thon-1',
      'un-ta',
    ]);
    expect(reached.map((r) => r.hamletId).sort()).toEqual(['qk-thon-1', 'thon-5', 'un-ta']);
    const sentEvents = events.filter((e) => e.type === 'emergency-sent') as { communeId: string }[];
    expect(sentEvents.map((e) => e.communeId).sort()).toEqual(['coc-san', otherCommune].sort());

    const v = await view(id);
    const placed = await body(
      await h.request(`/api/v1/broadcasts/${of(v, 'coc-san').broadcastIds[0]}`, { token: h.tokens.officer }),
    );
    // The commune's emergency rules: three airings, ten minutes apart, in every hamlet.
    const inThon5 = placed.occurrences.filter((o: any) => o.hamletId === 'thon-5');
    expect(inThon5.map((o: any) => o.at)).toEqual([
      '2026-11-30T15:30:00.000Z',
      '2026-11-30T15:40:00.000Z',
      '2026-11-30T15:50:00.000Z',
    ]);

    // Booked in both communes in one unit of work: one audit row names both broadcasts.
    const booked = (await h.runtime.repos.audit.listRecentAudit(50)).find(
      (a) =>
        a.action === 'broadcast.create' && a.actorId === p.userIds.provinceOfficer && a.targetId === null,
    );
    expect(booked?.details).toMatchObject({
      priority: 'emergency',
      broadcasts: {
        'coc-san': of(v, 'coc-san').broadcastIds[0],
        [otherCommune]: of(v, otherCommune).broadcastIds[0],
      },
    });

    const first = reached.find((e) => e.hamletId === 'thon-5')!.occurrenceId;
    const qFirst = reached.find((e) => e.hamletId === 'qk-thon-1')!.occurrenceId;
    await report(h, a.token, [
      { id: 'e1', occurrenceId: first, type: 'started', at: '2026-11-30T15:30:01.000Z' },
    ]);
    await report(h, q.token, [
      { id: 'e2', occurrenceId: qFirst, type: 'failed', at: '2026-11-30T15:30:02.000Z' },
    ]);
    const proof = await body(
      await h.request(`/api/v1/province/bulletins/${id}/proof`, { token: p.tokens.provinceOfficer }),
    );
    expect(proof.receivers.find((r: any) => r.receiverId === a.id)).toMatchObject({
      communeId: 'coc-san',
      hamletId: 'thon-5',
      startedAt: '2026-11-30T15:30:01.000Z',
      failedAt: null,
    });
    expect(proof.receivers.find((r: any) => r.receiverId === q.id)).toMatchObject({
      communeId: otherCommune,
      startedAt: null,
      failedAt: '2026-11-30T15:30:02.000Z',
    });
    expect(of(proof.bulletin, 'coc-san')).toMatchObject({ status: 'aired', airedReceivers: 1 });
    expect(of(proof.bulletin, otherCommune).status).toBe('scheduled');
    // Declining an emergency is not the commune's to do.
    const decline = await h.request(`/api/v1/bulletins/${id}/decline`, {
      method: 'POST',
      token: h.tokens.officer,
      json: { reason: 'Không' },
    });
    expect(decline.status).toBe(409);
  });

  it('priority: a commune the province could not place it in books it itself, once it can, as a priority item', async () => {
    h.clock.set('2026-12-01T01:00:00.000Z');
    // No hamlet of Quảng Kim plays Vietnamese yet: there is nowhere for the province to put it.
    await setOtherHamletLanguages(h, p, [['dao'], ['dao'], ['dao']]);
    const { id, placements } = await sendBulletin('priority', ['coc-san', otherCommune]);
    expect(placements.find((pl) => pl.communeId === 'coc-san')!.problem).toBeNull();
    expect(placements.find((pl) => pl.communeId === otherCommune)).toMatchObject({
      broadcastId: null,
      problem: expect.any(String),
    });
    expect(of(await view(id), otherCommune).status).toBe('received');

    const answer = (path: 'schedule' | 'decline', token: string, json: unknown) =>
      h.request(`/api/v1/bulletins/${id}/${path}`, { method: 'POST', token, json });
    // Not to be declined; once a hamlet plays its language, booked by the commune at its own level.
    expect((await answer('decline', p.other.tokens.officer, { reason: 'Không ai nghe' })).status).toBe(409);
    await setOtherHamletLanguages(h, p, otherHamletLanguages);
    const booked = await answer('schedule', p.other.tokens.officer, {
      hamletIds: 'all',
      at: '2026-12-01T11:00:00+07:00',
    });
    expect(booked.status, await booked.clone().text()).toBe(201);
    const broadcast = await body(
      await h.request(`/api/v1/broadcasts/${(await body(booked)).id}`, {
        token: p.other.tokens.officer,
      }),
    );
    expect(broadcast.priority).toBe('priority');
    expect(of(await view(id), otherCommune)).toMatchObject({
      status: 'scheduled',
      decidedBy: p.other.userIds.officer,
    });
    // Cốc San's was placed by the province: nothing left to book.
    const again = await answer('schedule', h.tokens.officer, {
      hamletIds: 'all',
      at: '2026-12-01T11:00:00+07:00',
    });
    expect(again.status).toBe(409);
  });

  it('emergency: a commune none of whose hamlets plays its language is told so, not shown as scheduled', async () => {
    h.clock.set('2026-12-03T01:00:00.000Z');
    await setOtherHamletLanguages(h, p, [['dao'], ['dao'], ['dao']]);
    try {
      const { id, placements } = await sendBulletin('emergency', ['coc-san', otherCommune]);
      expect(placements).toEqual([
        expect.objectContaining({ communeId: 'coc-san', problem: null }),
        {
          communeId: otherCommune,
          broadcastId: null,
          problem: 'Chưa thôn nào của xã nghe ngôn ngữ của bản tin (vi).',
        },
      ]);
      const v = await view(id);
      expect(of(v, 'coc-san').status).toBe('scheduled');
      expect(of(v, otherCommune).status).toBe('received');
    } finally {
      await setOtherHamletLanguages(h, p, otherHamletLanguages);
    }
  });
});
