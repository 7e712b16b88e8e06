import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoaEvent } from '../../src/domain/ports/events.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createDevice, createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';

describe('hamlets: deleting', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  const create = async (path: string, json: Record<string, unknown>) => {
    const res = await h.request(path, { method: 'POST', token: h.tokens.admin, json });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string } | { receiver: { id: string } };
    return 'receiver' in body ? body.receiver.id : body.id;
  };
  const remove = (id: string) =>
    h.request(`/api/v1/hamlets/${id}`, { method: 'DELETE', token: h.tokens.admin });

  it('refuses while a receiver, even a disabled one, belongs to the hamlet, and deletes once it moved', async () => {
    const hamlet = await create('/api/v1/hamlets', { name: 'Thôn Cũ', languages: ['vi'] });
    const receiver = await create('/api/v1/receivers', { hamletId: hamlet, name: 'Loa đầu thôn' });
    const disabled = await h.request(`/api/v1/receivers/${receiver}`, {
      method: 'PATCH',
      token: h.tokens.admin,
      json: { disabled: true },
    });
    expect(disabled.status).toBe(200);

    const refused = await remove(hamlet);
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await refused.json()) as { detail: string; detailVi: string; receivers: number };
    expect(problem.receivers).toBe(1);
    expect(problem.detailVi).toContain('Thôn còn 1 cụm loa');
    expect((await h.request(`/api/v1/hamlets/${hamlet}`, { token: h.tokens.admin })).status).toBe(200);

    const moved = await h.request(`/api/v1/receivers/${receiver}`, {
      method: 'PATCH',
      token: h.tokens.admin,
      json: { hamletId: 'un-ta' },
    });
    expect(moved.status).toBe(200);
    expect((await remove(hamlet)).status).toBe(204);
    expect((await h.request(`/api/v1/hamlets/${hamlet}`, { token: h.tokens.admin })).status).toBe(404);
    // The receiver stays manageable in its new hamlet.
    expect((await h.request(`/api/v1/receivers/${receiver}`, { token: h.tokens.admin })).status).toBe(200);
  });
});

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

  it('cancels the airings to come of a deleted hamlet, and only its', async () => {
    const created = await h.request('/api/v1/hamlets', {
      method: 'POST',
      token: h.tokens.admin,
      json: { name: 'Thôn Tạm', languages: ['vi'] },
    });
    const { id: hamlet } = (await created.json()) as { id: string };
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
