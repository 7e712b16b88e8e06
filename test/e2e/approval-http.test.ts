import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speechWav } from '../support/audio-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { page, signInPage, type CookieSession } from './support.js';

interface Announced {
  readonly approval: string;
  readonly variants: { id: string; language: string; approval: string }[];
}

/**
 * The office approves what its page showed, over HTTP: a version the author added while the officer
 * was listening is not approved with the rest; it waits in the queue for its own look.
 */
describe('approving from the queue', () => {
  let h: Harness;
  let officer: CookieSession;

  beforeAll(async () => {
    h = await createHarness();
    officer = await signInPage(h, 'officer');
  });
  afterAll(() => h.close());

  const announcement = async (id: string): Promise<Announced> =>
    (await (await h.request(`/api/v1/announcements/${id}`, { token: h.tokens.officer })).json()) as Announced;
  const approveForm = (html: string, id: string) => {
    const form = new RegExp(`<form method="post" action="/giam-sat/duyet/${id}">(.*?)</form>`, 's').exec(
      html,
    );
    expect(form, html).not.toBeNull();
    return [...form![1]!.matchAll(/name="variantId" value="([^"]+)"/g)].map((m) => m[1]!);
  };

  it('approves the versions the officer saw, and leaves one added meanwhile waiting', async () => {
    const created = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.secretary,
      json: {
        title: 'Thu quỹ khuyến học',
        language: 'vi',
        text: 'Tối nay thu quỹ khuyến học tại nhà văn hóa.',
      },
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    await h.runtime.jobs.drain();

    // The officer opens the queue and listens to the Vietnamese version.
    const queue = await (await page(h, '/giam-sat', officer)).text();
    const seen = approveForm(queue, id);
    expect(seen).toEqual((await announcement(id)).variants.map((v) => v.id));

    // Meanwhile the secretary adds a Giáy version, which nobody in the office has heard.
    const added = await h.request(`/api/v1/announcements/${id}/variants`, {
      method: 'POST',
      token: h.tokens.secretary,
      json: { language: 'giay', text: 'Tối nay thu quỹ khuyến học.', voice: 'vi' },
    });
    expect(added.status).toBe(202);
    await h.runtime.jobs.drain();

    const approved = await page(h, `/giam-sat/duyet/${id}`, officer, { variantId: seen });
    expect(approved.status).toBe(303);
    const after = await announcement(id);
    expect(after.approval).toBe('pending');
    expect(after.variants.map((v) => [v.language, v.approval]).sort()).toEqual([
      ['giay', 'pending'],
      ['vi', 'approved'],
    ]);
    // Still in the queue, now for the Giáy version; approving it from there approves the content.
    const again = await (await page(h, '/giam-sat', officer)).text();
    const next = approveForm(again, id);
    expect(next).toHaveLength(2);
    expect((await page(h, `/giam-sat/duyet/${id}`, officer, { variantId: next })).status).toBe(303);
    expect((await announcement(id)).approval).toBe('approved');
  });

  it('does not approve a recording still being processed, which the officer could not hear', async () => {
    const created = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.secretary,
      json: { title: 'Họp chi đoàn', language: 'vi', text: 'Tối thứ sáu họp chi đoàn tại nhà văn hóa.' },
    });
    const { id } = (await created.json()) as { id: string };
    await h.runtime.jobs.drain();
    const recording = new FormData();
    recording.set('language', 'giay');
    recording.set('file', new Blob([speechWav('Họp chi đoàn.', 'giay')], { type: 'audio/wav' }), 'giay.wav');
    const added = await h.request(`/api/v1/announcements/${id}/variants`, {
      method: 'POST',
      token: h.tokens.secretary,
      body: recording,
    });
    expect(added.status).toBe(202);
    const [vi, giay] = (await announcement(id)).variants;

    // The Giáy recording is still queued: the queue shows no player for it, so approving skips it.
    const queue = await (await page(h, '/giam-sat', officer)).text();
    expect(approveForm(queue, id)).toEqual([vi!.id]);
    expect((await page(h, `/giam-sat/duyet/${id}`, officer, { variantId: [vi!.id] })).status).toBe(303);
    const after = await announcement(id);
    expect(after.approval).toBe('pending');
    expect(after.variants.map((v) => [v.language, v.approval])).toEqual([
      ['vi', 'approved'],
      ['giay', 'pending'],
    ]);

    // Processed, it can be heard and approved.
    await h.runtime.jobs.drain();
    const ready = await (await page(h, '/giam-sat', officer)).text();
    expect(approveForm(ready, id)).toEqual([vi!.id, giay!.id]);
  });

  it('offers no approval for a new recording before it can be heard, only a refusal', async () => {
    const recording = new FormData();
    recording.set('title', 'Thông báo ghi âm');
    recording.set('language', 'vi');
    recording.set('file', new Blob([speechWav()], { type: 'audio/wav' }), 'ghi-am.wav');
    const created = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.secretary,
      body: recording,
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    const queue = await (await page(h, '/giam-sat', officer)).text();
    expect(queue).toContain(`action="/giam-sat/tu-choi/${id}"`);
    expect(queue).not.toContain(`action="/giam-sat/duyet/${id}"`);
    expect(queue).toContain('chưa nghe được (đang xử lý hoặc bị lỗi)');
    const detail = await (await page(h, `/thong-bao/${id}`, officer)).text();
    expect(detail).not.toContain(`action="/thong-bao/${id}/duyet"`);
    await h.runtime.jobs.drain();
    expect(approveForm(await (await page(h, '/giam-sat', officer)).text(), id)).toHaveLength(1);
  });

  it('takes the versions heard over the API too, and approves every waiting one without them', async () => {
    const created = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.secretary,
      json: { title: 'Lịch cắt điện', language: 'vi', text: 'Chiều mai cắt điện từ 13 giờ đến 17 giờ.' },
    });
    const { id } = (await created.json()) as { id: string };
    await h.runtime.jobs.drain();
    const heard = (await announcement(id)).variants.map((v) => v.id);
    await h.request(`/api/v1/announcements/${id}/variants`, {
      method: 'POST',
      token: h.tokens.secretary,
      json: { language: 'giay', text: 'Chiều mai cắt điện.', voice: 'vi' },
    });
    await h.runtime.jobs.drain();
    const approve = (json?: unknown) =>
      h.request(`/api/v1/announcements/${id}/approve`, { method: 'POST', token: h.tokens.officer, json });
    const partly = await approve({ variantIds: heard });
    expect(partly.status).toBe(200);
    expect(((await partly.json()) as Announced).approval).toBe('pending');
    expect((await approve({ variantIds: [] })).status).toBe(400);
    const whole = await approve();
    expect(whole.status).toBe(200);
    expect(((await whole.json()) as Announced).approval).toBe('approved');
  });
});
