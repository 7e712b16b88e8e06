import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/domain/receiver/protocol.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createDevice, createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';
import { sseClient } from '../support/sse-client.js';
import { speechWav } from '../support/audio-fixtures.js';
import { rmSync } from 'node:fs';

const minute = 60_000;

interface Announced {
  readonly approval: string;
  readonly variants: { language: string; status: string; approval: string }[];
}

/**
 * Approval guards the air: a version added to an approved announcement waits for the office before it
 * airs (the approved ones keep airing), and refusing content takes it off the air at once.
 */
describe.each(dialects)('approval on %s', (dialect) => {
  let h: Harness;
  let box: { id: string; token: string };
  beforeAll(async () => {
    h = await createHarness(dialect);
    box = await createDevice(h, 'un-ta');
  });
  afterAll(() => h.close());

  const manifest = async (): Promise<Manifest> =>
    (await (await h.request('/api/v1/receiver/schedule', { token: box.token })).json()) as Manifest;
  const announcement = async (id: string): Promise<Announced> =>
    (await (await h.request(`/api/v1/announcements/${id}`, { token: h.tokens.officer })).json()) as Announced;

  it('holds a version added after approval until the office approves it; the approved one keeps airing', async () => {
    // The secretary's own announcement, typed, processed and approved, then booked in Ún Tà (vi, giay).
    const created = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.secretary,
      json: { title: 'Lịch tiêm phòng', language: 'vi', text: 'Sáng mai tiêm phòng cho trâu bò.' },
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    await h.runtime.jobs.drain();
    expect(
      (await h.request(`/api/v1/announcements/${id}/approve`, { method: 'POST', token: h.tokens.officer }))
        .status,
    ).toBe(200);
    const at = new Date(h.clock.now().getTime() + 60 * minute).toISOString();
    const booked = await scheduleBroadcast(h, { announcementId: id, hamletIds: ['un-ta'], at });

    const added = await h.request(`/api/v1/announcements/${id}/variants`, {
      method: 'POST',
      token: h.tokens.secretary,
      json: { language: 'giay', text: 'Sáng mai tiêm phòng cho trâu bò.', voice: 'vi' },
    });
    expect(added.status).toBe(202);
    await h.runtime.jobs.drain();

    const waiting = await announcement(id);
    expect(waiting.approval).toBe('pending');
    expect(waiting.variants.map((v) => [v.language, v.status, v.approval])).toEqual([
      ['vi', 'ready', 'approved'],
      ['giay', 'ready', 'pending'],
    ]);
    // The box gets the approved Vietnamese version only.
    const parts = (await manifest()).items.filter((i) => i.occurrenceId === booked.occurrences[0]!.id);
    expect(parts.map((p) => p.language)).toEqual(['vi']);
    // What is approved can still be booked; its air time counts the approved version only.
    const again = await scheduleBroadcast(h, {
      announcementId: id,
      hamletIds: ['un-ta'],
      at: new Date(h.clock.now().getTime() + 120 * minute).toISOString(),
    });
    expect(again.occurrences[0]!.durationMs).toBe(booked.occurrences[0]!.durationMs);

    const approved = await h.request(`/api/v1/announcements/${id}/approve`, {
      method: 'POST',
      token: h.tokens.officer,
    });
    expect(((await approved.json()) as Announced).variants.map((v) => v.approval)).toEqual([
      'approved',
      'approved',
    ]);
    // Booked from now on, both languages air; an occurrence booked before keeps the air time it was
    // booked for, so nothing it does runs into what follows it.
    const later = await scheduleBroadcast(h, {
      announcementId: id,
      hamletIds: ['un-ta'],
      at: new Date(h.clock.now().getTime() + 180 * minute).toISOString(),
    });
    const items = (await manifest()).items;
    const partsOf = (occurrenceId: string) =>
      items.filter((i) => i.occurrenceId === occurrenceId).map((i) => i.language);
    expect(partsOf(later.occurrences[0]!.id)).toEqual(['vi', 'giay']);
    expect(partsOf(booked.occurrences[0]!.id)).toEqual(['vi']);
  });

  it('books the approved version while an added one is processed, and after that one failed', async () => {
    const content = await createReadyAnnouncement(h, 'Họp dân thôn 6', [{ language: 'vi', seconds: 2 }]);
    const form = new FormData();
    form.set('language', 'hmn');
    form.set('file', new Blob([speechWav('Hôm nay họp dân.', 'approval-hmn')]), 'hmn.wav');
    const added = await h.request(`/api/v1/announcements/${content.id}/variants`, {
      method: 'POST',
      token: h.tokens.officer,
      body: form,
    });
    expect(added.status, await added.clone().text()).toBe(202);
    // Thôn 6 plays vi and hmn: while hmn is processed, the Vietnamese version is booked there.
    const at = (minutes: number) => new Date(h.clock.now().getTime() + minutes * minute).toISOString();
    const during = await scheduleBroadcast(h, {
      announcementId: content.id,
      hamletIds: ['thon-6'],
      at: at(180),
    });
    expect(during.occurrences[0]!.durationMs).toBe(content.variants[0]!.durationMs);

    // Its recording is lost before it is processed: the hmn version fails, the approved one still books.
    const hmn = await h.runtime.db.kysely
      .selectFrom('announcement_variants')
      .select('source_key')
      .where('announcement_id', '=', content.id)
      .where('language', '=', 'hmn')
      .executeTakeFirstOrThrow();
    rmSync(h.runtime.media.pathOf(hmn.source_key!));
    await h.runtime.jobs.drain();
    const failed = await announcement(content.id);
    expect(failed.variants.map((v) => [v.language, v.status]).sort()).toEqual([
      ['hmn', 'failed'],
      ['vi', 'ready'],
    ]);
    const after = await scheduleBroadcast(h, {
      announcementId: content.id,
      hamletIds: ['thon-6'],
      at: at(240),
    });
    expect(after.occurrences[0]!.durationMs).toBe(content.variants[0]!.durationMs);
  });

  it('takes refused content off the air: future occurrences cancelled, playing boxes told to stop', async () => {
    const content = await createReadyAnnouncement(h, 'Thông báo cắt điện', [
      { language: 'vi', seconds: 180 },
    ]);
    const soon = await scheduleBroadcast(h, {
      announcementId: content.id,
      hamletIds: ['un-ta'],
      at: new Date(h.clock.now().getTime() + 4 * 60 * minute).toISOString(),
    });
    const tomorrow = await scheduleBroadcast(h, {
      announcementId: content.id,
      hamletIds: ['un-ta', 'thon-2'],
      at: new Date(h.clock.now().getTime() + 26 * 60 * minute).toISOString(),
    });
    // The first one is on air when the office refuses the content.
    h.clock.advance(4 * 60 * minute + minute);
    const before = await h.request('/api/v1/receiver/schedule', { token: box.token });
    const push = sseClient(await h.request('/api/v1/receiver/events', { token: box.token }));
    await push.next('schedule');

    const refused = await h.request(`/api/v1/announcements/${content.id}/reject`, {
      method: 'POST',
      token: h.tokens.officer,
      json: { reason: 'Sai thông tin' },
    });
    expect(refused.status).toBe(200);
    const answer = (await refused.json()) as Announced & { cancelledOccurrences: number };
    expect(answer.cancelledOccurrences).toBe(2);
    expect(answer.variants.map((v) => v.approval)).toEqual(['rejected']);

    expect(JSON.parse((await push.next('stop')).data)).toEqual({ occurrenceId: soon.occurrences[0]!.id });
    expect(JSON.parse((await push.next('schedule')).data).version).toBeGreaterThan(0);
    await push.cancel();
    const after = await h.request('/api/v1/receiver/schedule', {
      token: box.token,
      headers: { 'if-none-match': before.headers.get('etag')! },
    });
    expect(after.status).toBe(200);
    const ids = ((await after.json()) as Manifest).items.map((i) => i.occurrenceId);
    for (const o of tomorrow.occurrences) expect(ids).not.toContain(o.id);
    const stored = await h.runtime.repos.broadcasts.listOccurrencesOf([tomorrow.id]);
    expect(stored.map((o) => o.status)).toEqual(['cancelled', 'cancelled']);
    // Refused content cannot be booked again.
    const rebook = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.officer,
      json: {
        announcementId: content.id,
        hamletIds: ['un-ta'],
        at: new Date(h.clock.now().getTime() + 300 * minute).toISOString(),
      },
    });
    expect(rebook.status).toBe(422);
    // Nor does it take a new version, which would air where approval is not asked for.
    const addVersion = () =>
      h.request(`/api/v1/announcements/${content.id}/variants`, {
        method: 'POST',
        token: h.tokens.officer,
        json: { language: 'giay', text: 'Sáng mai tiêm phòng cho trâu bò.', voice: 'vi' },
      });
    const added = await addVersion();
    expect(added.status).toBe(409);
    expect(((await added.json()) as { detailVi: string }).detailVi).toContain('từ chối');
    expect((await announcement(content.id)).variants.map((v) => v.language)).toEqual(['vi']);
    // Once the office approves it again, it does.
    const approved = await h.request(`/api/v1/announcements/${content.id}/approve`, {
      method: 'POST',
      token: h.tokens.officer,
    });
    expect(approved.status).toBe(200);
    expect((await addVersion()).status).toBe(202);
  });

  it('lets hamlet-scoped roles read commune-wide content and schedule it in their own hamlets only', async () => {
    const shared = await createReadyAnnouncement(h, 'Thông báo của UBND xã', [
      { language: 'vi', seconds: 20 },
    ]);
    for (const user of ['head', 'secretary'] as const) {
      const read = await h.request(`/api/v1/announcements/${shared.id}`, { token: h.tokens[user] });
      expect(read.status).toBe(200);
      const listed = await h.request('/api/v1/announcements?limit=200', { token: h.tokens[user] });
      const items = ((await listed.json()) as { items: { id: string }[] }).items;
      expect(items.map((a) => a.id)).toContain(shared.id);
    }
    const at = new Date(h.clock.now().getTime() + 30 * 60 * minute).toISOString();
    const own = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.head,
      json: { announcementId: shared.id, hamletIds: ['un-ta'], at },
    });
    expect(own.status).toBe(201);
    const other = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.head,
      json: { announcementId: shared.id, hamletIds: ['thon-2'], at },
    });
    expect(other.status).toBe(403);
    // Changing it stays with the commune office.
    const variant = await h.request(`/api/v1/announcements/${shared.id}/variants`, {
      method: 'POST',
      token: h.tokens.secretary,
      json: { language: 'giay', text: 'Thông báo', voice: 'vi' },
    });
    expect(variant.status).toBe(403);
  });
});
