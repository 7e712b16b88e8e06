import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoaEvent } from '../../src/domain/ports/events.js';
import { meetAfter } from '../support/crash.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createDevice, createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';

/** A hamlet made through the API by the admin, with its id. */
async function newHamlet(h: Harness, name: string, languages: readonly string[]): Promise<string> {
  const created = await h.request('/api/v1/hamlets', {
    method: 'POST',
    token: h.tokens.admin,
    json: { name, languages },
  });
  return ((await created.json()) as { id: string }).id;
}

describe('hamlets: what a change does to the schedule', () => {
  let h: Harness;
  const events: LoaEvent[] = [];
  beforeAll(async () => {
    h = await createHarness();
    h.runtime.bus.subscribe((e) => events.push(e));
  });
  afterAll(() => h.close());

  it('plays the languages in their new order from the next poll, and tells the boxes at once', async () => {
    const device = await createDevice(h, 'thon-2');
    const ann = await createReadyAnnouncement(h, 'Tiêm phòng', [
      { language: 'vi', seconds: 1 },
      { language: 'giay', seconds: 1 },
    ]);
    await scheduleBroadcast(h, {
      announcementId: ann.id,
      hamletIds: ['thon-2'],
      at: '2026-11-27T09:00:00+07:00',
    });
    const schedule = (headers: Record<string, string> = {}) =>
      h.request('/api/v1/receiver/schedule', { token: device.token, headers });
    const before = await schedule();
    const etag = before.headers.get('etag')!;
    expect(((await before.json()) as any).items.map((i: any) => i.language)).toEqual(['vi', 'giay']);

    events.length = 0;
    const res = await h.request('/api/v1/hamlets/thon-2', {
      method: 'PATCH',
      token: h.tokens.admin,
      json: { languages: ['giay', 'vi'] },
    });
    expect(res.status).toBe(200);
    expect(events).toContainEqual({ type: 'schedule-changed', versions: { 'thon-2': expect.any(Number) } });

    const after = await schedule({ 'if-none-match': etag });
    expect(after.status).toBe(200);
    expect(((await after.json()) as any).items.map((i: any) => i.language)).toEqual(['giay', 'vi']);
  });

  it('refuses to drop the only language an airing to come can play there, and names it', async () => {
    const hamlet = await newHamlet(h, 'Thôn Hai Tiếng', ['vi', 'giay']);
    const giayOnly = await createReadyAnnouncement(h, 'Lịch tiêm tiếng Giáy', [
      { language: 'giay', seconds: 1 },
    ]);
    const both = await createReadyAnnouncement(h, 'Họp dân', [
      { language: 'vi', seconds: 1 },
      { language: 'giay', seconds: 1 },
    ]);
    await scheduleBroadcast(h, {
      announcementId: both.id,
      hamletIds: [hamlet],
      at: '2026-11-27T10:00:00+07:00',
    });
    const booked = await scheduleBroadcast(h, {
      announcementId: giayOnly.id,
      hamletIds: [hamlet],
      at: '2026-11-27T11:00:00+07:00',
    });
    const drop = () =>
      h.request(`/api/v1/hamlets/${hamlet}`, {
        method: 'PATCH',
        token: h.tokens.admin,
        json: { languages: ['vi'] },
      });

    const refused = await drop();
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await refused.json()) as { detail: string; airingIds: string[] };
    expect(problem.airingIds).toEqual([booked.occurrences[0]!.id]);
    expect(problem.detail).toContain('Lịch tiêm tiếng Giáy');
    expect(problem.detail).not.toContain('Họp dân');
    const unchanged = (await (
      await h.request(`/api/v1/hamlets/${hamlet}`, { token: h.tokens.admin })
    ).json()) as {
      languages: string[];
    };
    expect(unchanged.languages).toEqual(['vi', 'giay']);

    // Once that airing has played, nothing to come needs the language any more.
    h.clock.set('2026-11-27T04:01:00Z');
    const dropped = await drop();
    expect(dropped.status).toBe(200);
    expect(((await dropped.json()) as { languages: string[] }).languages).toEqual(['vi']);
  });

  it('cancels the airings to come of a deleted hamlet, and only its', async () => {
    const hamlet = await newHamlet(h, 'Thôn Tạm', ['vi']);
    const ann = await createReadyAnnouncement(h, 'Họp thôn', [{ language: 'vi', seconds: 1 }]);
    const booked = await scheduleBroadcast(h, {
      announcementId: ann.id,
      hamletIds: [hamlet, 'un-ta'],
      at: '2026-11-29T09:00:00+07:00',
    });
    expect(
      (await h.request(`/api/v1/hamlets/${hamlet}`, { method: 'DELETE', token: h.tokens.admin })).status,
    ).toBe(204);
    const rows = await h.runtime.db.kysely
      .selectFrom('occurrences')
      .select(['hamlet_id', 'status'])
      .where('broadcast_id', '=', booked.id)
      .orderBy('hamlet_id')
      .execute();
    expect(rows).toEqual([
      { hamlet_id: hamlet, status: 'cancelled' },
      { hamlet_id: 'un-ta', status: 'scheduled' },
    ]);
  });
});

describe.each(dialects)('a hamlet deleted while it is being booked, on %s', (dialect) => {
  let h: Harness;
  // The booking has read the hamlet and goes on only once the deletion had its chance.
  const race = meetAfter('hamlets', 'findHamlets');
  beforeAll(async () => {
    h = await createHarness(dialect, {}, { decorateRepositories: race.decorate });
  });
  afterAll(() => h.close());

  it('leaves no airing to come in the deleted hamlet, whichever comes first', async () => {
    const hamlet = await newHamlet(h, 'Thôn Sắp Xóa', ['vi']);
    const ann = await createReadyAnnouncement(h, 'Họp thôn', [{ language: 'vi', seconds: 1 }]);
    const { first } = race.arm(2);
    const booking = h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.officer,
      json: { announcementId: ann.id, hamletIds: [hamlet], at: '2026-11-29T09:00:00+07:00' },
    });
    await first;
    const deletion = await h.request(`/api/v1/hamlets/${hamlet}`, {
      method: 'DELETE',
      token: h.tokens.admin,
    });
    const booked = await booking;
    expect(deletion.status).toBe(204);
    expect([201, 422]).toContain(booked.status);
    const waiting = await h.runtime.db.kysely
      .selectFrom('occurrences')
      .select('id')
      .where('hamlet_id', '=', hamlet)
      .where('status', '=', 'scheduled')
      .execute();
    expect(waiting).toEqual([]);
  });
});

describe.each(dialects)('a language removed while an airing needing it is being booked, on %s', (dialect) => {
  let h: Harness;
  // The booking has read the hamlet's languages and goes on only once the change had its chance.
  const race = meetAfter('hamlets', 'findHamlets');
  beforeAll(async () => {
    h = await createHarness(dialect, {}, { decorateRepositories: race.decorate });
  });
  afterAll(() => h.close());

  it('leaves no airing to come with nothing to play, whichever comes first', async () => {
    const hamlet = await newHamlet(h, 'Thôn Đổi Tiếng', ['vi', 'giay']);
    const giayOnly = await createReadyAnnouncement(h, 'Tin tiếng Giáy', [{ language: 'giay', seconds: 1 }]);
    const { first } = race.arm(2);
    const booking = h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.officer,
      json: { announcementId: giayOnly.id, hamletIds: [hamlet], at: '2026-11-29T09:00:00+07:00' },
    });
    await first;
    const change = await h.request(`/api/v1/hamlets/${hamlet}`, {
      method: 'PATCH',
      token: h.tokens.admin,
      json: { languages: ['vi'] },
    });
    const booked = await booking;
    // One of the two wins: the airing booked and the language kept, or the language gone and nothing booked.
    expect([booked.status, change.status].sort()).toEqual(booked.status === 201 ? [201, 409] : [200, 422]);
    const { languages } = (await (
      await h.request(`/api/v1/hamlets/${hamlet}`, { token: h.tokens.admin })
    ).json()) as { languages: string[] };
    const waiting = await h.runtime.db.kysely
      .selectFrom('occurrences')
      .select('id')
      .where('hamlet_id', '=', hamlet)
      .where('status', '=', 'scheduled')
      .execute();
    expect({ languages, airings: waiting.length }).toEqual(
      booked.status === 201 ? { languages: ['vi', 'giay'], airings: 1 } : { languages: ['vi'], airings: 0 },
    );
  });
});
