import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
