import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommuneFile } from '../../src/services/seed/commune-file.js';
import { meetAfter } from '../support/crash.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';

describe('commune settings', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  const patch = (token: string, json: unknown) =>
    h.request('/api/v1/commune', { method: 'PATCH', token, json });
  const lateItem = () =>
    h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.head,
      json: {
        relay: { url: 'https://radio.example.vn/vov1', durationS: 300 },
        hamletIds: ['un-ta'],
        at: '2026-11-28T21:40:00+07:00',
      },
    });

  it('shows every role the commune and its rules', async () => {
    const res = await h.request('/api/v1/commune', { token: h.tokens.secretary });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      code: '02746',
      timeZone: 'Asia/Ho_Chi_Minh',
      settings: { quietHours: { start: '21:30', end: '05:30' }, approvalRequired: true },
    });
  });

  it('lets an admin change quiet hours, which new broadcasts then follow, and keeps the change over a re-seed', async () => {
    expect((await lateItem()).status).toBe(422);
    expect((await patch(h.tokens.officer, { quietHours: { start: '22:00', end: '05:00' } })).status).toBe(
      403,
    );
    const res = await patch(h.tokens.admin, { quietHours: { start: '22:00', end: '05:00' } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).settings.quietHours).toEqual({ start: '22:00', end: '05:00' });
    expect((await lateItem()).status).toBe(201);

    const file = parseCommuneFile('schedules/coc-san.json', readFileSync('schedules/coc-san.json', 'utf8'));
    await h.runtime.services.seed.applyCommuneFile(file);
    const after = (await (await h.request('/api/v1/commune', { token: h.tokens.admin })).json()) as any;
    expect(after.settings.quietHours).toEqual({ start: '22:00', end: '05:00' });

    // Languages are the file's alone (the app does not edit them): one added to the file is taken.
    const withLu = {
      ...file,
      languages: [...file.languages, { code: 'lu', name: 'Tiếng Lự' }],
    };
    await h.runtime.services.seed.applyCommuneFile(withLu);
    const later = (await (await h.request('/api/v1/commune', { token: h.tokens.admin })).json()) as any;
    expect(later.settings.languages.map((l: { code: string }) => l.code)).toContain('lu');
    expect(later.settings.quietHours).toEqual({ start: '22:00', end: '05:00' });
    const audit = await h.runtime.db.kysely
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'commune.update_settings')
      .execute();
    expect(audit).toHaveLength(1);
  });

  it('refuses bad settings naming the field', async () => {
    const res = await patch(h.tokens.admin, {
      slots: [{ name: 'morning', label: 'Sáng', start: '06:15', end: '05:30', maxAirTimeMin: 45 }],
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/slots\[0\]\.end: must be after start/);
    // A slot in quiet hours would let its items air there: refused, whichever of the two moved.
    const early = await patch(h.tokens.admin, {
      slots: [
        { name: 'morning', label: 'Buổi sáng', start: '04:30', end: '05:15', maxAirTimeMin: 45 },
        { name: 'evening', label: 'Buổi chiều', start: '17:00', end: '17:45', maxAirTimeMin: 45 },
      ],
    });
    expect(early.status).toBe(422);
    expect((await early.json()) as { detailVi: string }).toMatchObject({
      detailVi:
        'Buổi sáng (04:30–05:15) lấn vào giờ yên tĩnh 22:00–05:00: hãy dời khung giờ phát hoặc giờ yên tĩnh.',
    });
    const late = await patch(h.tokens.admin, { quietHours: { start: '17:30', end: '05:30' } });
    expect(late.status).toBe(422);
    expect((await late.json()) as { errors: { field: string }[] }).toMatchObject({
      errors: [{ field: 'quietHours' }],
    });
    expect((await patch(h.tokens.admin, { audio: { integratedLufs: -3 } })).status).toBe(400);
    expect((await patch(h.tokens.admin, { timeZone: 'Europe/Paris' })).status).toBe(400);
  });

  it('changes only the audio and emergency fields sent, keeping the others', async () => {
    await patch(h.tokens.admin, {
      audio: { truePeakDbtp: -2, opus: true },
      emergency: { repeatIntervalMin: 30 },
    });
    const res = await patch(h.tokens.admin, {
      audio: { integratedLufs: -18 },
      emergency: { repeatCount: 4 },
    });
    expect(res.status).toBe(200);
    const { settings } = (await res.json()) as any;
    expect(settings.audio).toEqual({ integratedLufs: -18, truePeakDbtp: -2, maxLraLu: 8, opus: true });
    expect(settings.emergency).toEqual({ repeatCount: 4, repeatIntervalMin: 30 });
  });

  it('keeps a standing slot while a series airs in it, which goes on being booked', async () => {
    const series = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.head,
      json: {
        relay: { url: 'https://radio.example.vn/vov1', durationS: 300 },
        hamletIds: ['un-ta'],
        recurrence: { slot: 'evening', weekdays: [1, 3, 5], from: '2026-11-27T00:00:00+07:00' },
      },
    });
    expect(series.status).toBe(201);
    const { id } = (await series.json()) as { id: string };
    const [morning, evening] = (
      (await (await h.request('/api/v1/commune', { token: h.tokens.admin })).json()) as any
    ).settings.slots;

    for (const slots of [[morning], [morning, { ...evening, name: 'chieu' }]]) {
      const refused = await patch(h.tokens.admin, { slots });
      expect(refused.status).toBe(409);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(((await refused.json()) as any).detail).toContain('"Buổi chiều"');
    }
    h.clock.advance(10 * 86_400_000);
    await h.runtime.dispatcher.tick();
    const row = await h.runtime.db.kysely
      .selectFrom('broadcasts')
      .select('next_start_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.next_start_at).not.toBeNull();

    expect(
      (await h.request(`/api/v1/broadcasts/${id}`, { method: 'DELETE', token: h.tokens.head })).status,
    ).toBe(200);
    const removed = await patch(h.tokens.admin, { slots: [morning] });
    expect(removed.status).toBe(200);
    expect(((await removed.json()) as any).settings.slots.map((s: any) => s.name)).toEqual(['morning']);
  });
});

describe('commune settings over what is booked', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  const patch = (json: unknown) =>
    h.request('/api/v1/commune', { method: 'PATCH', token: h.tokens.admin, json });
  const book = async (json: Record<string, unknown>) => {
    const res = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.head,
      json: { hamletIds: ['un-ta'], ...json },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as { id: string; occurrences: { id: string }[] };
  };
  const settings = async () =>
    ((await (await h.request('/api/v1/commune', { token: h.tokens.admin })).json()) as any).settings;
  const relay = (durationS: number) => ({ url: 'https://radio.example.vn/vov1', durationS });

  it('refuses quiet hours moved over an airing booked, naming it, and takes them once it is cancelled', async () => {
    const late = await book({ relay: relay(300), at: '2026-11-28T21:00:00+07:00' });
    // An emergency plays in quiet hours anyway: it holds nothing back.
    const emergency = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.officer,
      json: {
        relay: relay(60),
        hamletIds: ['un-ta'],
        priority: 'emergency',
        at: '2026-11-28T23:00:00+07:00',
      },
    });
    expect(emergency.status).toBe(201);

    const refused = await patch({ quietHours: { start: '20:30', end: '05:30' } });
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await refused.json()) as { detail: string; airingIds: string[] };
    expect(problem.airingIds).toEqual([late.occurrences[0]!.id]);
    expect(problem.detail).toContain('2026-11-28 21:00–21:05');
    expect((await settings()).quietHours).toEqual({ start: '21:30', end: '05:30' });

    const cancelled = await h.request(`/api/v1/broadcasts/${late.id}`, {
      method: 'DELETE',
      token: h.tokens.head,
    });
    expect(cancelled.status).toBe(200);
    expect((await patch({ quietHours: { start: '20:30', end: '05:30' } })).status).toBe(200);
    expect((await settings()).quietHours).toEqual({ start: '20:30', end: '05:30' });
  });

  it('refuses a slot shortened below what is packed in it, and takes the length that still holds it', async () => {
    const slot = { name: 'evening', date: '2026-11-29' };
    await book({ relay: relay(600), slot });
    const second = await book({ relay: relay(600), slot });
    const slots = await settings().then((s) => s.slots);
    const evening = (end: string, maxAirTimeMin: number) =>
      slots.map((s: any) => (s.name === 'evening' ? { ...s, end, maxAirTimeMin } : s));

    // Packed 17:00–17:10 and 17:10–17:20: an end at 17:15, or 15 minutes of air time, leaves the second out.
    for (const shorter of [evening('17:15', 45), evening('17:45', 15)]) {
      const refused = await patch({ slots: shorter });
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as { airingIds: string[] }).airingIds).toEqual([
        second.occurrences[0]!.id,
      ]);
    }
    expect(await settings().then((s) => s.slots)).toEqual(slots);
    const kept = await patch({ slots: evening('17:20', 20) });
    expect(kept.status).toBe(200);
  });
});

describe.each(dialects)('quiet hours moved while an airing is being booked, on %s', (dialect) => {
  let h: Harness;
  // The booking has read the commune's rules and goes on only once the change had its chance.
  const race = meetAfter('communes', 'findCommune');
  beforeAll(async () => {
    h = await createHarness(dialect, {}, { decorateRepositories: race.decorate });
  });
  afterAll(() => h.close());

  it('leaves no airing to come in the quiet hours, whichever comes first', async () => {
    const { first } = race.arm(2);
    const booking = h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.head,
      json: {
        relay: { url: 'https://radio.example.vn/vov1', durationS: 300 },
        hamletIds: ['un-ta'],
        at: '2026-11-28T21:00:00+07:00',
      },
    });
    await first;
    const change = await h.request('/api/v1/commune', {
      method: 'PATCH',
      token: h.tokens.admin,
      json: { quietHours: { start: '20:30', end: '05:30' } },
    });
    const booked = await booking;
    // One of the two wins: the airing booked and the hours kept, or the hours moved and the airing refused.
    expect([booked.status, change.status].sort()).toEqual(booked.status === 201 ? [201, 409] : [200, 422]);
    const { quietHours } = (
      (await (await h.request('/api/v1/commune', { token: h.tokens.admin })).json()) as any
    ).settings;
    const waiting = await h.runtime.db.kysely
      .selectFrom('occurrences')
      .select('id')
      .where('status', '=', 'scheduled')
      .execute();
    expect({ quietHours, airings: waiting.length }).toEqual(
      booked.status === 201
        ? { quietHours: { start: '21:30', end: '05:30' }, airings: 1 }
        : { quietHours: { start: '20:30', end: '05:30' }, airings: 0 },
    );
  });
});

describe('quiet hours moved before a series has booked its airings there', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('are taken, and the dispatcher leaves out the airings the new hours forbid, with the reason audited', async () => {
    // Ten days ahead: beyond the week the dispatcher books, so nothing of it is stored yet.
    const series = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.head,
      json: {
        relay: { url: 'https://radio.example.vn/vov1', durationS: 300 },
        hamletIds: ['un-ta'],
        recurrence: { cron: '0 21 * * *', from: '2026-12-07T00:00:00+07:00', count: 3 },
      },
    });
    expect(series.status, await series.clone().text()).toBe(201);
    const { id, occurrences } = (await series.json()) as { id: string; occurrences: unknown[] };
    expect(occurrences).toEqual([]);
    const moved = await h.request('/api/v1/commune', {
      method: 'PATCH',
      token: h.tokens.admin,
      json: { quietHours: { start: '21:00', end: '05:30' } },
    });
    expect(moved.status).toBe(200);

    h.clock.set('2026-12-05T01:00:00Z');
    const tick = await h.runtime.dispatcher.tick();
    expect({ added: tick.added, skipped: tick.skipped }).toEqual({ added: 0, skipped: 3 });
    const audited = await h.runtime.db.kysely
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'broadcast.occurrence_skipped')
      .where('target_id', '=', id)
      .execute();
    expect(audited.map((a) => JSON.parse(a.details as string).reason)).toEqual([
      'quiet_hours',
      'quiet_hours',
      'quiet_hours',
    ]);
  });
});
