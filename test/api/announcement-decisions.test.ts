import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speechWav } from '../support/audio-fixtures.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createReadyAnnouncement } from '../support/receiver-fixtures.js';

interface Decided {
  readonly approval: string;
  readonly approvalReason: string | null;
  readonly variants: { id: string; language: string; status: string; approval: string }[];
  readonly approvedVariantIds?: string[];
  readonly waitingVariantIds?: string[];
}
interface Problem {
  readonly status: number;
  readonly detail: string;
  readonly detailVi: string;
}

/**
 * The office's decision through the API: only what can be judged is approved, lifting a refusal approves
 * only what was named, a withdrawn announcement is not reprocessed, and a decision made on a stale view
 * (If-Match) or over another officer's decision is refused instead of silently overwriting it.
 */
describe.each(dialects)('announcement decisions on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  const json = async <T>(res: Response) => (await res.json()) as T;
  const get = (id: string, token = h.tokens.officer) => h.request(`/api/v1/announcements/${id}`, { token });
  const announcement = async (id: string) => json<Decided>(await get(id));
  const approve = (id: string, init: { token?: string; json?: unknown; ifMatch?: string } = {}) =>
    h.request(`/api/v1/announcements/${id}/approve`, {
      method: 'POST',
      token: init.token ?? h.tokens.officer,
      ...(init.json !== undefined && { json: init.json }),
      ...(init.ifMatch && { headers: { 'if-match': init.ifMatch } }),
    });
  const reject = (id: string, init: { token?: string; reason?: string; ifMatch?: string } = {}) =>
    h.request(`/api/v1/announcements/${id}/reject`, {
      method: 'POST',
      token: init.token ?? h.tokens.officer,
      json: { reason: init.reason ?? 'Sai thông tin' },
      ...(init.ifMatch && { headers: { 'if-match': init.ifMatch } }),
    });
  const tagOf = async (id: string, token = h.tokens.officer) => (await get(id, token)).headers.get('etag')!;

  /** The office's typed announcement, processed and waiting for approval. */
  async function typed(title: string): Promise<string> {
    const created = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.officer,
      json: { title, language: 'vi', text: 'Sáng mai họp dân tại nhà văn hóa thôn.' },
    });
    expect(created.status).toBe(202);
    const { id } = await json<{ id: string }>(created);
    await h.runtime.jobs.drain();
    return id;
  }

  /** Adds a recording in `language`, left unprocessed (no drain). */
  async function addRecording(id: string, language: string): Promise<void> {
    const form = new FormData();
    form.set('language', language);
    form.set('file', new Blob([speechWav('Sáng mai họp dân.', `decision-${language}`)]), `${language}.wav`);
    const added = await h.request(`/api/v1/announcements/${id}/variants`, {
      method: 'POST',
      token: h.tokens.officer,
      body: form,
    });
    expect(added.status, await added.clone().text()).toBe(202);
  }

  /** Makes the processing of every queued recording fail: its kept original is gone. */
  async function failRecordings(id: string): Promise<void> {
    const rows = await h.runtime.db.kysely
      .selectFrom('announcement_variants')
      .select('source_key')
      .where('announcement_id', '=', id)
      .where('source_kind', '=', 'upload')
      .where('status', '=', 'queued')
      .execute();
    for (const r of rows) rmSync(h.runtime.media.pathOf(r.source_key!));
    await h.runtime.jobs.drain();
  }

  it('does not reprocess a withdrawn announcement: 409, and nothing is queued', async () => {
    const a = await createReadyAnnouncement(h, 'Lịch cắt nước', [{ language: 'vi', seconds: 1 }]);
    const variantId = `${a.id}-v0`;
    await h.runtime.repos.announcements.setVariantStatus(
      variantId,
      'failed',
      'Tệp hỏng',
      h.clock.now().toISOString(),
    );
    const withdrawn = await h.request(`/api/v1/announcements/${a.id}/withdraw`, {
      method: 'POST',
      token: h.tokens.officer,
    });
    expect(withdrawn.status).toBe(200);
    const jobs = () =>
      h.runtime.db.kysely
        .selectFrom('jobs')
        .select('id')
        .where('data', '=', JSON.stringify({ variantId }))
        .execute();

    const retried = await h.request(`/api/v1/announcements/${a.id}/retry`, {
      method: 'POST',
      token: h.tokens.officer,
    });
    expect(retried.status).toBe(409);
    expect(retried.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await json<Problem>(retried)).detailVi).toContain('đã được rút lại');
    expect(await jobs()).toHaveLength(0);
    expect((await announcement(a.id)).variants.map((v) => v.status)).toEqual(['failed']);
  });

  it('approves only the versions the office can judge; a recording still processing keeps waiting', async () => {
    const id = await typed('Họp dân thôn Ún Tà');
    await addRecording(id, 'giay');
    const [vi, giay] = (await announcement(id)).variants;
    expect([vi!.status, giay!.status]).toEqual(['ready', 'queued']);

    const res = await approve(id);
    expect(res.status).toBe(200);
    const decided = await json<Decided>(res);
    expect(decided.approval).toBe('pending');
    expect(decided.variants.map((v) => [v.language, v.approval])).toEqual([
      ['vi', 'approved'],
      ['giay', 'pending'],
    ]);
    expect(decided.approvedVariantIds).toEqual([vi!.id]);
    expect(decided.waitingVariantIds).toEqual([giay!.id]);

    // Naming the unheard recording approves nothing.
    const named = await approve(id, { json: { variantIds: [giay!.id] } });
    expect(named.status).toBe(409);
    expect((await json<Problem>(named)).detailVi).toContain('chưa nghe được');
    // Once it can be heard, it can be approved.
    await h.runtime.jobs.drain();
    const heard = await approve(id);
    expect(heard.status).toBe(200);
    expect((await json<Decided>(heard)).approval).toBe('approved');
  });

  it('refuses to approve when nothing can be heard: a recording processing, then failed', async () => {
    const form = new FormData();
    form.set('title', 'Thông báo thu thuế');
    form.set('language', 'vi');
    form.set('file', new Blob([speechWav('Thông báo thu thuế.', 'decision-vi')]), 'vi.wav');
    const created = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.officer,
      body: form,
    });
    expect(created.status, await created.clone().text()).toBe(202);
    const { id } = await json<{ id: string }>(created);

    const processing = await approve(id);
    expect(processing.status).toBe(409);
    expect(processing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = await json<Problem>(processing);
    expect(problem.detail).toMatch(/nothing.*can be heard/i);
    expect(problem.detailVi).toContain('chưa nghe được');
    expect((await announcement(id)).variants.map((v) => v.approval)).toEqual(['pending']);

    await failRecordings(id);
    expect((await announcement(id)).variants.map((v) => v.status)).toEqual(['failed']);
    expect((await approve(id)).status).toBe(409);
    const after = await announcement(id);
    expect([after.approval, ...after.variants.map((v) => v.approval)]).toEqual(['pending', 'pending']);
    // Refusing it stays possible.
    expect((await reject(id)).status).toBe(200);
  });

  it('lifts a refusal only for the versions named: the others wait for the office, not refused, not approved', async () => {
    const a = await createReadyAnnouncement(h, 'Lịch tiêm phòng', [
      { language: 'vi', seconds: 1 },
      { language: 'giay', seconds: 1 },
    ]);
    const [vi, giay] = [`${a.id}-v0`, `${a.id}-v1`];
    expect((await reject(a.id, { reason: 'Sai ngày tiêm' })).status).toBe(200);

    const res = await approve(a.id, { json: { variantIds: [vi] } });
    expect(res.status).toBe(200);
    const decided = await json<Decided>(res);
    expect(decided.variants.map((v) => [v.language, v.approval])).toEqual([
      ['vi', 'approved'],
      ['giay', 'pending'],
    ]);
    expect([decided.approval, decided.approvalReason]).toEqual(['pending', null]);
    expect(decided.waitingVariantIds).toEqual([giay]);
    // Back in the office's queue, and what was approved is served again.
    const queue = await h.request('/api/v1/announcements?approval=pending&limit=200', {
      token: h.tokens.officer,
    });
    expect((await json<{ items: { id: string }[] }>(queue)).items.map((i) => i.id)).toContain(a.id);
    expect((await h.request(`/media/${a.variants[0]!.sha256}.mp3`)).status).toBe(200);

    const rest = await approve(a.id, { json: { variantIds: [giay] } });
    expect((await json<Decided>(rest)).approval).toBe('approved');
  });

  it('lifts a refusal, by default, for what can be heard; a recording still processing waits', async () => {
    const id = await typed('Thông báo nạo vét kênh');
    await addRecording(id, 'hmn');
    expect((await reject(id)).status).toBe(200);
    const res = await approve(id);
    expect(res.status).toBe(200);
    const decided = await json<Decided>(res);
    expect(decided.variants.map((v) => [v.language, v.status, v.approval])).toEqual([
      ['vi', 'ready', 'approved'],
      ['hmn', 'queued', 'pending'],
    ]);
    expect(decided.approval).toBe('pending');
  });

  it('answers with an ETag and refuses a decision made on a stale view (412)', async () => {
    const id = await typed('Thông báo phòng chống bão');
    const seen = await get(id);
    const tag = seen.headers.get('etag');
    expect(tag).toMatch(/^"[^"]+"$/);
    // The same state, the same tag.
    expect(await tagOf(id)).toBe(tag);

    // A version is added after the officer looked.
    await h.request(`/api/v1/announcements/${id}/variants`, {
      method: 'POST',
      token: h.tokens.officer,
      json: { language: 'giay', text: 'Phòng chống bão.', voice: 'vi' },
    });
    const stale = await approve(id, { ifMatch: tag! });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await json<Problem>(stale)).detailVi).toContain('tải lại');
    expect((await announcement(id)).variants.map((v) => v.approval)).toEqual(['pending', 'pending']);
    const staleRefusal = await reject(id, { ifMatch: tag! });
    expect(staleRefusal.status).toBe(412);
    expect((await announcement(id)).approval).toBe('pending');

    const fresh = await tagOf(id);
    expect(fresh).not.toBe(tag);
    const approved = await approve(id, { ifMatch: fresh });
    expect(approved.status).toBe(200);
    expect((await json<Decided>(approved)).approval).toBe('approved');
    // The answer's tag is the new state's.
    expect(approved.headers.get('etag')).toBe(await tagOf(id));
    expect(approved.headers.get('etag')).not.toBe(fresh);
  });

  it("does not overturn another officer's decision unseen (409); with If-Match it does", async () => {
    const id = await typed('Thông báo lịch nghỉ lễ');
    expect((await reject(id, { reason: 'Chưa đúng lịch' })).status).toBe(200);

    const blind = await approve(id, { token: h.tokens.admin });
    expect(blind.status).toBe(409);
    const problem = await json<Problem>(blind);
    expect(problem.detailVi).toContain('từ chối');
    expect(problem.detailVi).toContain('Chưa đúng lịch');
    expect((await announcement(id)).approval).toBe('rejected');

    const seen = await approve(id, { token: h.tokens.admin, ifMatch: await tagOf(id, h.tokens.admin) });
    expect(seen.status).toBe(200);
    expect((await json<Decided>(seen)).approval).toBe('approved');

    // And the other way: taking approved content off the air over another's approval.
    const blindRefusal = await reject(id);
    expect(blindRefusal.status).toBe(409);
    expect((await json<Problem>(blindRefusal)).detailVi).toContain('duyệt');
    expect((await announcement(id)).approval).toBe('approved');
    expect((await reject(id, { ifMatch: await tagOf(id) })).status).toBe(200);
    // The officer's own decision she may change without a tag.
    expect((await approve(id)).status).toBe(200);
  });
});
