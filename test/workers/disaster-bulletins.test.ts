import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHarness, type Harness } from './support/harness.js';
import { storedMp3, taggedMp3 } from './support/tagged-mp3.js';

const PROCESSING_TOKEN = 'processing-token-for-tests';
const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
// The harness clock starts at 2026-11-27T01:00Z = 08:00 in Asia/Ho_Chi_Minh.
const HEADER_0730 = 'Bản tin phát lúc 7 giờ 30 ngày 27 tháng 11 năm 2026.';

interface Bulletin {
  id: string;
  sequence: number;
  broadcastId: string;
  headerText: string;
  endedAt: string | null;
  endReason: string | null;
}
interface EventView {
  id: string;
  status: string;
  bulletins: Bulletin[];
}
interface Lease {
  jobId: string;
  source: { kind: string; text?: string; voice?: string };
}

/**
 * Disaster bulletins on the edge profile (workerd, D1, R2): the Worker speaks nothing itself, so a
 * bulletin's header is a processing node's job. Here the test plays the node over the processing lane
 * with an MP3 the real pipeline made (the e2e `edge-disaster.test.ts` runs a real `loa worker --edge`).
 */
describe('disaster bulletins on the edge', () => {
  let h: Harness;
  const audio = inject('edgeAudio');
  beforeAll(async () => {
    h = await createHarness('d1', { LOA_PROCESSING_TOKEN: PROCESSING_TOKEN });
  });
  afterAll(() => h.close());

  const json = async <T>(res: Response): Promise<T> => (await res.json()) as T;
  const post = (path: string, body: unknown, token = h.tokens.officer) =>
    h.request(path, { method: 'POST', token, json: body });
  const node = (path: string, init: RequestInit = {}) =>
    h.request(path, { ...init, method: 'POST', token: PROCESSING_TOKEN });
  const lease = async (): Promise<Lease | null> => {
    const res = await node('/api/v1/processing/lease', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ node: 'may-xa' }),
    });
    return res.status === 204 ? null : json<Lease>(res);
  };
  const sendResult = (jobId: string, file = bytes(audio.processedMp3)) => {
    const form = new FormData();
    form.set('file', new File([file], 'header.mp3', { type: 'audio/mpeg' }));
    return node(`/api/v1/processing/jobs/${encodeURIComponent(jobId)}/result?node=may-xa`, { body: form });
  };
  /** A bulletin's content, levelled already (as a browser sends it) and approved. */
  const content = async (title: string) => {
    const form = new FormData();
    form.set('title', title);
    form.set('language', 'vi');
    form.set('category', 'thien-tai');
    form.set('processed', 'true');
    form.set('file', new File([bytes(audio.processedMp3)], 'ban-tin.mp3', { type: 'audio/mpeg' }));
    const res = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.officer,
      body: form,
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const { id } = await json<{ id: string }>(res);
    expect((await post(`/api/v1/announcements/${id}/approve`, {})).status).toBe(200);
    return id;
  };
  const newEvent = async (name: string) => {
    const res = await post('/api/v1/disaster/events', { name, hazardType: 'storm' });
    expect(res.status).toBe(201);
    return (await json<{ id: string }>(res)).id;
  };
  const event = async (id: string) =>
    json<EventView>(await h.request(`/api/v1/disaster/events/${id}`, { token: h.tokens.officer }));
  const issue = (eventId: string, announcementId: string, issuedAt = '2026-11-27T07:30:00+07:00') =>
    post(`/api/v1/disaster/events/${eventId}/bulletins`, {
      announcementId,
      riskLevel: 3,
      agency: 'Đài Khí tượng Thủy văn tỉnh Lào Cai',
      issuedAt,
      hamletIds: ['un-ta'],
    });
  const occurrences = (broadcastId: string) =>
    h.runtime.db.kysely
      .selectFrom('occurrences')
      .select(['starts_at as at', 'status'])
      .where('broadcast_id', '=', broadcastId)
      .orderBy('starts_at')
      .execute();

  it('gives the header to a processing node, then books the bulletin with it before every repeat', async () => {
    const storm = await newEvent('Bão số 3');
    const text = await content('Bản tin bão số 3, tin số 1');
    const res = await issue(storm, text);
    expect(res.status, await res.clone().text()).toBe(202);
    const pending = await json<{ state: string; jobId: string; headerText: string }>(res);
    expect(pending).toMatchObject({ state: 'waiting_for_header', headerText: HEADER_0730 });
    // Nothing is on the air until the header exists.
    expect((await event(storm)).bulletins).toEqual([]);

    const job = await lease();
    expect(job).toMatchObject({
      jobId: pending.jobId,
      source: { kind: 'text', text: HEADER_0730, voice: 'vi' },
    });
    const done = await sendResult(job!.jobId);
    expect(done.status, await done.clone().text()).toBe(200);

    const [bulletin] = (await event(storm)).bulletins;
    expect(bulletin).toMatchObject({ sequence: 1, headerText: HEADER_0730, endedAt: null });
    const broadcast = await h.runtime.db.kysely
      .selectFrom('broadcasts')
      .select(['priority', 'lead_audio_sha256', 'lead_duration_ms'])
      .where('id', '=', bulletin!.broadcastId)
      .executeTakeFirstOrThrow();
    expect(broadcast.priority).toBe('emergency');
    // The node's MP3, measured and stored, is the lead-in of every airing.
    expect(broadcast.lead_audio_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(broadcast.lead_duration_ms).toBeGreaterThan(0);
    const booked = await occurrences(bulletin!.broadcastId);
    // Now (08:00), then every 2 hours on the hour, over the 7-day horizon.
    expect(booked.slice(0, 3).map((o) => o.at)).toEqual([
      '2026-11-27T01:00:00.000Z',
      '2026-11-27T03:00:00.000Z',
      '2026-11-27T05:00:00.000Z',
    ]);
    const job2 = await h.runtime.db.kysely
      .selectFrom('jobs')
      .select('status')
      .where('id', '=', pending.jobId)
      .executeTakeFirstOrThrow();
    expect(job2.status).toBe('done');

    // Eight days on, the Cron Trigger's tick has extended the repeats past the first horizon.
    h.clock.advance(8 * 86_400_000);
    await h.runtime.dispatcher.tick();
    const later = await occurrences(bulletin!.broadcastId);
    expect(later.at(-1)!.at > '2026-12-05T01:00:00.000Z').toBe(true);
    h.clock.set('2026-11-27T01:00:00.000Z');
  });

  it('waits for one header when a bulletin is sent twice under its key, and answers the third with it on the air', async () => {
    const slide = await newEvent('Sạt lở đất');
    const text = await content('Sạt lở, tin số 1');
    const send = () =>
      h.request(`/api/v1/disaster/events/${slide}/bulletins`, {
        method: 'POST',
        token: h.tokens.officer,
        headers: { 'idempotency-key': 'sat-lo-0001' },
        json: {
          announcementId: text,
          riskLevel: 3,
          agency: 'Đài Khí tượng Thủy văn tỉnh Lào Cai',
          issuedAt: '2026-11-27T07:30:00+07:00',
          hamletIds: ['un-ta'],
        },
      });
    const twice = await Promise.all([send(), send()]);
    expect(twice.map((r) => r.status)).toEqual([202, 202]);
    const [first, second] = await Promise.all(twice.map((r) => json<{ jobId: string }>(r)));
    expect(second!.jobId).toBe(first!.jobId);
    const job = await lease();
    expect(job!.jobId).toBe(first!.jobId);
    expect(await lease()).toBeNull();
    expect((await sendResult(job!.jobId)).status).toBe(200);

    const third = await send();
    expect(third.status).toBe(201);
    const [bulletin] = (await event(slide)).bulletins;
    expect((await json<{ id: string }>(third)).id).toBe(bulletin!.id);
    expect((await event(slide)).bulletins).toHaveLength(1);
    expect((await post(`/api/v1/disaster/events/${slide}/end`, {})).status).toBe(200);
  });

  it('replaces the bulletin on the air once the newer one’s header is spoken, and ends bulletins and events', async () => {
    const flood = await newEvent('Lũ sông Chảy');
    const first = await content('Tin lũ số 1');
    await issue(flood, first);
    await sendResult((await lease())!.jobId);
    const [one] = (await event(flood)).bulletins;

    const second = await content('Tin lũ số 2');
    h.clock.advance(30 * 60_000);
    const res = await issue(flood, second, '2026-11-27T08:15:00+07:00');
    expect(res.status).toBe(202);
    // Bulletin 1 stays on the air while the newer header waits for a node.
    expect((await event(flood)).bulletins.map((b) => b.endedAt)).toEqual([null]);
    const job = await lease();
    expect(job!.source.text).toBe('Bản tin phát lúc 8 giờ 15 ngày 27 tháng 11 năm 2026.');
    await sendResult(job!.jobId);

    const view = await event(flood);
    expect(view.bulletins.map((b) => [b.sequence, b.endReason])).toEqual([
      [2, null],
      [1, 'superseded'],
    ]);
    const olderAhead = (await occurrences(one!.broadcastId)).filter(
      (o) => o.at > h.clock.now().toISOString(),
    );
    expect(olderAhead.every((o) => o.status === 'cancelled')).toBe(true);

    const ended = await post(`/api/v1/disaster/bulletins/${view.bulletins[0]!.id}/end`, {});
    expect(ended.status).toBe(200);
    expect(await json<Bulletin>(ended)).toMatchObject({ endReason: 'ended' });
    const closed = await post(`/api/v1/disaster/events/${flood}/end`, {});
    expect(closed.status).toBe(200);
    expect((await json<EventView>(closed)).status).toBe('ended');
    const late = await issue(flood, second);
    expect(late.status).toBe(409);
    expect(late.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    h.clock.set('2026-11-27T01:00:00.000Z');
  });

  it('puts nothing on the air when the event ended while its header waited, and the job fails for good', async () => {
    const fire = await newEvent('Cháy rừng Cốc San');
    const text = await content('Tin cháy rừng');
    const { jobId } = await json<{ jobId: string }>(await issue(fire, text));
    expect((await post(`/api/v1/disaster/events/${fire}/end`, {})).status).toBe(200);
    // A header of its own: the MP3 the Worker stored before the job failed goes with it.
    const header = taggedMp3(bytes(audio.processedMp3), 24);
    await sendResult((await lease())!.jobId, header);
    expect(await storedMp3(header)).toBeNull();
    expect((await event(fire)).bulletins).toEqual([]);
    const job = await h.runtime.db.kysely
      .selectFrom('jobs')
      .select(['status', 'last_error'])
      .where('id', '=', jobId)
      .executeTakeFirstOrThrow();
    expect(job.status).toBe('failed');
    expect(job.last_error).toMatch(/ended/);
  });

  it('never lets an older bulletin whose header came back late replace a newer one', async () => {
    const rain = await newEvent('Mưa lớn diện rộng');
    const text = await content('Tin mưa lớn');
    await issue(rain, text, '2026-11-27T07:00:00+07:00');
    await issue(rain, text, '2026-11-27T07:45:00+07:00');
    const [first, second] = [(await lease())!, (await lease())!];
    expect(second.source.text).toBe('Bản tin phát lúc 7 giờ 45 ngày 27 tháng 11 năm 2026.');
    await sendResult(second.jobId);
    await sendResult(first.jobId);
    const view = await event(rain);
    expect(view.bulletins.map((b) => [b.sequence, b.headerText, b.endedAt])).toEqual([
      [1, 'Bản tin phát lúc 7 giờ 45 ngày 27 tháng 11 năm 2026.', null],
    ]);
    const late = await h.runtime.db.kysely
      .selectFrom('jobs')
      .select(['status', 'last_error'])
      .where('id', '=', first.jobId)
      .executeTakeFirstOrThrow();
    expect(late).toMatchObject({ status: 'failed' });
    expect(late.last_error).toMatch(/issued later/);
  });

  it('refuses at once, with no job for a node, content that could not be booked when the header is back', async () => {
    const storm = await newEvent('Bão số 6');
    const form = new FormData();
    form.set('title', 'Tin bão chưa duyệt');
    form.set('language', 'vi');
    form.set('category', 'thien-tai');
    form.set('processed', 'true');
    form.set('file', new File([bytes(audio.processedMp3)], 'ban-tin.mp3', { type: 'audio/mpeg' }));
    const up = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.officer,
      body: form,
    });
    const { id } = await json<{ id: string }>(up);
    const res = await issue(storm, id);
    expect(res.status).toBe(422);
    expect(JSON.stringify(await res.json())).toMatch(/chưa được văn phòng xã duyệt/);
    expect(await lease()).toBeNull();
  });

  it('refuses a processing node a JSON body past 64 KB, and its lane keeps serving', async () => {
    const huge = `{"node":"may-xa","error":"${'x'.repeat(2 * 1024 * 1024)}"}`;
    const res = await node('/api/v1/processing/jobs/khong-co/failure?node=may-xa', {
      headers: { 'content-type': 'application/json' },
      body: huge,
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await lease()).toBeNull();
  });

  it('keeps the role rules: a hamlet head or secretary cannot issue a bulletin', async () => {
    const storm = await newEvent('Bão số 4');
    const text = await content('Tin bão số 4');
    for (const who of ['head', 'secretary'] as const) {
      const res = await post(
        `/api/v1/disaster/events/${storm}/bulletins`,
        { announcementId: text, riskLevel: 2, agency: 'Đài KTTV', issuedAt: '2026-11-27T07:30:00+07:00' },
        h.tokens[who],
      );
      expect(res.status, who).toBe(403);
    }
    expect(await lease()).toBeNull();
  });
});

describe('disaster bulletins on an edge deployment that takes no processing node', () => {
  let h: Harness;
  const audio = inject('edgeAudio');
  beforeAll(async () => {
    h = await createHarness('d1');
  });
  afterAll(() => h.close());

  it('answers 503 naming the processing node it needs, and puts nothing on the air', async () => {
    const form = new FormData();
    form.set('title', 'Tin bão');
    form.set('language', 'vi');
    form.set('category', 'thien-tai');
    form.set('processed', 'true');
    form.set('file', new File([bytes(audio.processedMp3)], 'ban-tin.mp3', { type: 'audio/mpeg' }));
    const up = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.officer,
      body: form,
    });
    const { id } = (await up.json()) as { id: string };
    await h.request(`/api/v1/announcements/${id}/approve`, { method: 'POST', token: h.tokens.officer });
    const ev = await h.request('/api/v1/disaster/events', {
      method: 'POST',
      token: h.tokens.officer,
      json: { name: 'Bão số 5', hazardType: 'storm' },
    });
    const eventId = ((await ev.json()) as { id: string }).id;
    const res = await h.request(`/api/v1/disaster/events/${eventId}/bulletins`, {
      method: 'POST',
      token: h.tokens.officer,
      json: { announcementId: id, riskLevel: 4, agency: 'Đài KTTV', issuedAt: '2026-11-27T07:30:00+07:00' },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = JSON.stringify(await res.json());
    expect(problem).toMatch(/Cần một máy xử lý âm thanh/);
    expect(problem).toMatch(/processing node/);
    const rows = await h.runtime.db.kysely.selectFrom('disaster_bulletins').select('id').execute();
    expect(rows).toEqual([]);
    const jobs = await h.runtime.db.kysely.selectFrom('jobs').select('id').execute();
    expect(jobs).toEqual([]);
  });
});
