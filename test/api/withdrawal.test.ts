import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/domain/receiver/protocol.js';
import { dialects } from '../support/databases.js';
import { createHarness, userPassword, type Harness } from '../support/harness.js';
import { createDevice, createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';

const minute = 60_000;
const body = async (res: Response) => (await res.json()) as any;

interface Airing {
  readonly occurrenceId: string;
  readonly hamletId: string;
  readonly hamletName: string;
  readonly at: string;
  readonly status: string;
}

/**
 * Feedback to the author and withdrawal: the announcement carries its typed text and its author's name,
 * its airings say where, when and whether it played (in the caller's hamlets), and its author or the
 * office can take it off the air for good before it airs.
 */
describe.each(dialects)('withdrawal and airings on %s', (dialect) => {
  let h: Harness;
  let box: { id: string; token: string };
  /** Secretaries besides the fixture one: of another hamlet, and of Ún Tà but not the author. */
  const others = { thon2: '', unTa: '' };

  beforeAll(async () => {
    h = await createHarness(dialect);
    box = await createDevice(h, 'un-ta');
    for (const [key, username, hamletId] of [
      ['thon2', 'bithu-thon2', 'thon-2'],
      ['unTa', 'bithu-unta-2', 'un-ta'],
    ] as const) {
      const made = await h.request('/api/v1/users', {
        method: 'POST',
        token: h.tokens.admin,
        json: {
          username,
          password: userPassword,
          role: 'secretary',
          hamletIds: [hamletId],
          displayName: key,
        },
      });
      expect(made.status).toBe(201);
      const login = await h.request('/api/v1/auth/login', {
        method: 'POST',
        json: { username, password: userPassword },
      });
      others[key] = (await body(login)).token;
    }
  });
  afterAll(() => h.close());

  const at = (minutes: number) => new Date(h.clock.now().getTime() + minutes * minute).toISOString();
  const airings = async (id: string, token: string): Promise<Airing[]> => {
    const res = await h.request(`/api/v1/announcements/${id}/airings`, { token });
    expect(res.status).toBe(200);
    return (await body(res)).items;
  };
  const manifestIds = async () =>
    (
      (await (await h.request('/api/v1/receiver/schedule', { token: box.token })).json()) as Manifest
    ).items.map((i) => i.occurrenceId);

  /** A secretary's typed announcement, processed and approved by the office. */
  async function approvedText(title: string): Promise<string> {
    const created = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.secretary,
      json: { title, language: 'vi', text: 'Chiều nay họp thôn lúc 14 giờ tại nhà văn hóa.' },
    });
    expect(created.status).toBe(202);
    const { id } = await body(created);
    await h.runtime.jobs.drain();
    const approved = await h.request(`/api/v1/announcements/${id}/approve`, {
      method: 'POST',
      token: h.tokens.officer,
    });
    expect(approved.status).toBe(200);
    return id;
  }

  it('answers with the typed text, its voice and the author, and no text for a recording', async () => {
    const text = 'Thông báo: ngày 28/11/2026 tiêm phòng cho trâu bò.\nBà con chú ý.';
    const created = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.secretary,
      json: { title: 'Tiêm phòng', language: 'vi', text, voice: 'vi-vn-x-south' },
    });
    const { id } = await body(created);
    const added = await h.request(`/api/v1/announcements/${id}/variants`, {
      method: 'POST',
      token: h.tokens.secretary,
      json: { language: 'giay', text: 'Bà con chú ý.' },
    });
    expect(added.status).toBe(202);
    const a = await body(await h.request(`/api/v1/announcements/${id}`, { token: h.tokens.officer }));
    expect(a.authorName).toBe('secretary');
    expect(a.withdrawnAt).toBeNull();
    expect(a.variants.map((v: any) => [v.language, v.source, v.text, v.voice])).toEqual([
      ['vi', 'text', text, 'vi-vn-x-south'],
      ['giay', 'text', 'Bà con chú ý.', 'vi'],
    ]);
    const recording = await createReadyAnnouncement(h, 'Bản ghi âm', [{ language: 'vi', seconds: 2 }]);
    const rec = await body(
      await h.request(`/api/v1/announcements/${recording.id}`, { token: h.tokens.officer }),
    );
    expect(rec.variants[0]).toMatchObject({ source: 'upload', text: null, voice: null });
    expect(rec.authorName).toBe('officer');
  });

  it('withdraws before air: what has not started is cancelled and leaves the box, what played stays played', async () => {
    const id = await approvedText('Họp thôn chiều nay');
    const first = await scheduleBroadcast(h, { announcementId: id, hamletIds: ['un-ta'], at: at(60) });
    const tomorrow = await scheduleBroadcast(h, {
      announcementId: id,
      hamletIds: ['un-ta'],
      at: at(26 * 60),
    });
    // Mondays at 10:00 for a month: one airing within the horizon now, more as the dispatcher extends it.
    const weekly = await scheduleBroadcast(h, {
      announcementId: id,
      hamletIds: ['un-ta'],
      recurrence: { cron: '0 10 * * 1', from: at(0), count: 4 },
    });
    // A relay on the same days, never withdrawn: the dispatcher does extend series.
    await scheduleBroadcast(h, {
      relay: { url: 'https://radio.example.vn/vov1', durationS: 60 },
      hamletIds: ['un-ta'],
      recurrence: { cron: '0 11 * * 1', from: at(0), count: 4 },
    });
    expect(weekly.occurrences).toHaveLength(1);
    // The box's manifest covers 48 hours: tomorrow's airing is in it, Monday's not yet.
    expect(await manifestIds()).toContain(tomorrow.occurrences[0]!.id);

    // The first airing plays.
    const played = first.occurrences[0]!;
    h.clock.set(new Date(Date.parse(played.at) + minute));
    const logs = await h.request('/api/v1/receiver/logs', {
      method: 'POST',
      token: box.token,
      json: {
        events: [
          { id: `${played.id}-s`, occurrenceId: played.id, type: 'started', at: played.at },
          {
            id: `${played.id}-c`,
            occurrenceId: played.id,
            type: 'completed',
            at: new Date(Date.parse(played.at) + played.durationMs).toISOString(),
          },
        ],
      },
    });
    expect(logs.status).toBe(200);
    const before = await h.request('/api/v1/receiver/schedule', { token: box.token });

    const withdrawn = await h.request(`/api/v1/announcements/${id}/withdraw`, {
      method: 'POST',
      token: h.tokens.secretary,
    });
    expect(withdrawn.status).toBe(200);
    const answer = await body(withdrawn);
    expect(answer.cancelledOccurrences).toBe(2);
    expect(answer.withdrawnAt).toBe(h.clock.now().toISOString());

    // The box's schedule changed, and what was withdrawn is gone from it.
    const after = await h.request('/api/v1/receiver/schedule', {
      token: box.token,
      headers: { 'if-none-match': before.headers.get('etag')! },
    });
    expect(after.status).toBe(200);
    const ids = ((await after.json()) as Manifest).items.map((i) => i.occurrenceId);
    expect(ids).not.toContain(tomorrow.occurrences[0]!.id);

    const rows = await h.runtime.db.kysely
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('target_id', '=', id)
      .where('action', '=', 'announcement.withdraw')
      .execute();
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]!.details!)).toMatchObject({ cancelledOccurrences: 2 });

    // Eight days on, the dispatcher extends the relay but not the withdrawn series.
    h.clock.advance(8 * 24 * 60 * minute);
    const extended = await h.runtime.services.broadcasts.extendSeries();
    expect(extended.added).toBeGreaterThan(0);
    const seen = await airings(id, h.tokens.secretary);
    expect(seen.map((a) => [a.occurrenceId, a.status])).toEqual([
      [played.id, 'played'],
      [tomorrow.occurrences[0]!.id, 'cancelled'],
      [weekly.occurrences[0]!.id, 'cancelled'],
    ]);
    expect(seen[0]!.hamletName).toBe('Thôn Ún Tà');

    // Withdrawn content is never booked again, and withdrawing twice cancels nothing more.
    const rebook = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.head,
      json: { announcementId: id, hamletIds: ['un-ta'], at: at(60) },
    });
    expect(rebook.status).toBe(422);
    expect((await body(rebook)).detailVi).toBe(
      'Thông báo "Họp thôn chiều nay" đã được rút lại, không thể xếp lịch phát nữa.',
    );
    const again = await h.request(`/api/v1/announcements/${id}/withdraw`, {
      method: 'POST',
      token: h.tokens.officer,
    });
    expect((await body(again)).cancelledOccurrences).toBe(0);
  });

  it('takes off the air an airing a box with a fast clock reported started two minutes early', async () => {
    const id = await approvedText('Thu quỹ khuyến học');
    const withdrawnOne = await scheduleBroadcast(h, { announcementId: id, hamletIds: ['un-ta'], at: at(30) });
    const other = await approvedText('Lịch cắt điện');
    const cancelledOne = await scheduleBroadcast(h, {
      announcementId: other,
      hamletIds: ['un-ta'],
      at: at(40),
    });
    const early = async (o: { id: string; at: string }) => {
      const started = new Date(Date.parse(o.at) - 2 * minute).toISOString();
      h.clock.set(started);
      const logs = await h.request('/api/v1/receiver/logs', {
        method: 'POST',
        token: box.token,
        json: { events: [{ id: `${o.id}-early`, occurrenceId: o.id, type: 'started', at: started }] },
      });
      expect(logs.status).toBe(200);
    };
    const statusOf = async (occurrenceId: string) =>
      (
        await h.runtime.db.kysely
          .selectFrom('occurrences')
          .select('status')
          .where('id', '=', occurrenceId)
          .executeTakeFirstOrThrow()
      ).status;

    const first = withdrawnOne.occurrences[0]!;
    await early(first);
    expect(await statusOf(first.id)).toBe('played');
    const withdrawn = await h.request(`/api/v1/announcements/${id}/withdraw`, {
      method: 'POST',
      token: h.tokens.secretary,
    });
    expect((await body(withdrawn)).cancelledOccurrences).toBe(1);
    expect(await statusOf(first.id)).toBe('cancelled');
    expect(await manifestIds()).not.toContain(first.id);

    const second = cancelledOne.occurrences[0]!;
    await early(second);
    const cancelled = await h.request(`/api/v1/broadcasts/${cancelledOne.id}`, {
      method: 'DELETE',
      token: h.tokens.officer,
    });
    expect(cancelled.status).toBe(200);
    expect(await statusOf(second.id)).toBe('cancelled');
    expect(await manifestIds()).not.toContain(second.id);
  });

  it("refuses another hamlet's secretary, and a secretary or head who did not write it", async () => {
    const id = await approvedText('Thu quỹ khuyến học');
    await scheduleBroadcast(h, { announcementId: id, hamletIds: ['un-ta'], at: at(90) });
    const withdraw = (token: string) =>
      h.request(`/api/v1/announcements/${id}/withdraw`, { method: 'POST', token });

    const outside = await withdraw(others.thon2);
    expect(outside.status).toBe(403);
    expect((await body(outside)).detailVi).toMatch(/ngoài phạm vi phụ trách/);
    for (const token of [others.unTa, h.tokens.head]) {
      const res = await withdraw(token);
      expect(res.status).toBe(403);
      expect((await body(res)).detailVi).toBe(
        'Bạn không được phép rút lại thông báo này: chỉ người gửi hoặc văn phòng xã được rút lại.',
      );
    }
    const a = await body(await h.request(`/api/v1/announcements/${id}`, { token: h.tokens.secretary }));
    expect(a.withdrawnAt).toBeNull();
    expect((await airings(id, h.tokens.secretary)).map((o) => o.status)).toEqual(['scheduled']);
  });

  it('leaves a withdrawn announcement out of the approval queue; it waits for no decision', async () => {
    const created = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.secretary,
      json: { title: 'Nhầm nội dung', language: 'vi', text: 'Gửi nhầm.' },
    });
    const { id } = await body(created);
    const queue = async (query: string) =>
      (
        await body(await h.request(`/api/v1/announcements?${query}&limit=200`, { token: h.tokens.officer }))
      ).items.map((a: { id: string }) => a.id);
    expect(await queue('approval=pending')).toContain(id);
    const res = await h.request(`/api/v1/announcements/${id}/withdraw`, {
      method: 'POST',
      token: h.tokens.secretary,
    });
    expect((await body(res)).cancelledOccurrences).toBe(0);
    expect(await queue('approval=pending')).not.toContain(id);
    expect(await queue('approval=pending&withdrawn=true')).toContain(id);
    const approve = await h.request(`/api/v1/announcements/${id}/approve`, {
      method: 'POST',
      token: h.tokens.officer,
    });
    expect(approve.status).toBe(409);
    expect((await body(approve)).detailVi).toMatch(/đã được rút lại/);
  });

  it("lists commune-wide content's airings in the caller's hamlets only", async () => {
    const shared = await createReadyAnnouncement(h, 'Lịch cắt điện', [{ language: 'vi', seconds: 3 }]);
    const booked = await scheduleBroadcast(h, {
      announcementId: shared.id,
      hamletIds: ['un-ta', 'thon-2'],
      at: at(5 * 60),
    });
    expect(booked.occurrences).toHaveLength(2);
    const hamletsSeen = async (token: string) =>
      (await airings(shared.id, token)).map((a) => a.hamletId).sort();
    expect(await hamletsSeen(h.tokens.officer)).toEqual(['thon-2', 'un-ta']);
    expect(await hamletsSeen(h.tokens.secretary)).toEqual(['un-ta']);
    expect(await hamletsSeen(others.thon2)).toEqual(['thon-2']);
    const own = await airings(shared.id, h.tokens.secretary);
    const unTa = booked.occurrences.find((o) => o.hamletId === 'un-ta')!;
    expect(own).toEqual([
      expect.objectContaining({
        occurrenceId: unTa.id,
        hamletName: 'Thôn Ún Tà',
        status: 'scheduled',
        at: unTa.at,
      }),
    ]);

    // A hamlet's own announcement is not another hamlet's to read, nor its airings.
    const id = await approvedText('Chỉ cho Ún Tà');
    expect((await h.request(`/api/v1/announcements/${id}/airings`, { token: others.thon2 })).status).toBe(
      403,
    );
  });

  // Last: it moves the clock on twelve days.
  it('books no airings of a rejected series: nothing of it is approved to play', async () => {
    const id = await approvedText('Lịch trực phòng chống lụt bão');
    // Tuesdays at 14:00 for a month: one airing within the horizon now.
    const weekly = await scheduleBroadcast(h, {
      announcementId: id,
      hamletIds: ['un-ta'],
      recurrence: { cron: '0 14 * * 2', from: at(0), count: 4 },
    });
    expect(weekly.occurrences).toHaveLength(1);
    const rejected = await h.request(`/api/v1/announcements/${id}/reject`, {
      method: 'POST',
      token: h.tokens.officer,
      json: { reason: 'Sai ngày trực' },
    });
    expect(rejected.status).toBe(200);

    h.clock.advance(8 * 24 * 60 * minute);
    await h.runtime.services.broadcasts.extendSeries();
    const occurrences = await h.runtime.db.kysely
      .selectFrom('occurrences')
      .select(['id', 'status'])
      .where('broadcast_id', '=', weekly.id)
      .execute();
    expect(occurrences).toEqual([{ id: weekly.occurrences[0]!.id, status: 'cancelled' }]);
    const login = await h.request('/api/v1/auth/login', {
      method: 'POST',
      json: { username: 'officer', password: userPassword },
    });
    const officer = (await body(login)).token as string;
    // Nor is it in the way of another booking at the time of one of its Tuesdays still to come.
    const across = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: officer,
      json: {
        relay: { url: 'https://radio.example.vn/vov1', durationS: 120 },
        hamletIds: ['un-ta'],
        at: '2026-12-15T13:59:00+07:00',
      },
    });
    expect(across.status, await across.clone().text()).toBe(201);

    // Approved again four days on, past another Tuesday, it airs on from now: none of the Tuesdays it was
    // refused over is booked after the fact.
    h.clock.advance(4 * 24 * 60 * minute);
    const approved = await h.request(`/api/v1/announcements/${id}/approve`, {
      method: 'POST',
      token: officer,
    });
    expect(approved.status).toBe(200);
    await h.runtime.services.broadcasts.extendSeries();
    const resumed = await h.runtime.db.kysely
      .selectFrom('occurrences')
      .select(['starts_at', 'status'])
      .where('broadcast_id', '=', weekly.id)
      .where('status', '!=', 'cancelled')
      .execute();
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed.filter((o) => o.starts_at < h.clock.now().toISOString())).toEqual([]);
  });
});
