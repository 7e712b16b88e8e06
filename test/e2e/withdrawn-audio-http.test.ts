import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { createHarness, userPassword, type Harness } from '../support/harness.js';
import { provinceFixture } from '../support/province.js';
import { createReadyAnnouncement } from '../support/receiver-fixtures.js';
import { page, signInPage, type CookieSession } from './support.js';

/**
 * The audio of withdrawn or refused content is not served any more (`/media/…` answers 404): the
 * announcement's page says it is no longer public, and plays it to the signed-in staff through an address
 * of its own, scoped as the page is, so the office can listen before approving refused content again.
 */
describe.each(dialects)('the page of withdrawn or refused content on %s', (dialect) => {
  let h: Harness;
  let officer: CookieSession;
  let otherOfficer: CookieSession;
  beforeAll(async () => {
    h = await createHarness(dialect);
    await provinceFixture(h);
    officer = await signInPage(h, 'officer');
    otherOfficer = await signInPage(h, { username: 'qk-officer', password: userPassword });
  });
  afterAll(() => h.close());

  const detail = async (id: string) => (await (await page(h, `/thong-bao/${id}`, officer)).text()).toString();
  /** What a browser's `<audio>` asks for: the session's cookie, and a range once it has started. */
  const listen = (path: string, session?: CookieSession, headers: Record<string, string> = {}) =>
    h.runtime.app.request(path, { headers: { ...headers, ...(session && { cookie: session.cookie }) } });
  const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());

  it('plays withdrawn audio to the office through the page, and says it is no longer public', async () => {
    const a = await createReadyAnnouncement(h, 'Sai giờ họp', [{ language: 'vi', seconds: 2 }]);
    const sha = a.variants[0]!.sha256;
    expect(await detail(a.id)).toContain(`/media/${sha}.mp3`);
    const published = await bytesOf(await listen(`/media/${sha}.mp3`));
    expect((await page(h, `/thong-bao/${a.id}/rut-lai`, officer, {})).status).toBe(303);

    const html = await detail(a.id);
    const own = `/thong-bao/${a.id}/am-thanh/${a.id}-v0.mp3`;
    expect(html).toContain('class="player"');
    expect(html).toContain(`src="${own}"`);
    expect(html).not.toContain(`/media/${sha}.mp3`);
    expect(html).toContain('không còn công khai');
    expect((await listen(`/media/${sha}.mp3`)).status).toBe(404);
    const heard = await listen(own, officer);
    expect(heard.status).toBe(200);
    expect(heard.headers.get('cache-control')).toBe('private, no-store');
    expect(heard.headers.get('content-type')).toBe('audio/mpeg');
    expect(await bytesOf(heard)).toEqual(published);
  });

  it('plays refused audio to the office before it approves it again, to no one else', async () => {
    const a = await createReadyAnnouncement(h, 'Nội dung sai', [{ language: 'vi', seconds: 2 }]);
    const sha = a.variants[0]!.sha256;
    const published = await bytesOf(await listen(`/media/${sha}.mp3`));
    const refused = await page(h, `/thong-bao/${a.id}/tu-choi`, officer, { reason: 'Sai nội dung' });
    expect(refused.status).toBe(303);

    const html = await detail(a.id);
    const own = `/thong-bao/${a.id}/am-thanh/${a.id}-v0.mp3`;
    expect(html).toContain('class="player"');
    expect(html).toContain(`src="${own}"`);
    expect(html).toContain('không còn công khai');
    expect((await listen(`/media/${sha}.mp3`)).status).toBe(404);

    const heard = await listen(own, officer);
    expect(heard.status).toBe(200);
    expect(heard.headers.get('cache-control')).toBe('private, no-store');
    expect(heard.headers.get('content-length')).toBe(String(published.length));
    expect(await bytesOf(heard)).toEqual(published);
    // A player seeking on a weak link asks for a range, as from /media.
    const part = await listen(own, officer, { range: 'bytes=100-199' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${published.length}`);
    expect(part.headers.get('cache-control')).toBe('private, no-store');
    expect(await bytesOf(part)).toEqual(published.slice(100, 200));

    // Nobody else hears it, and each is answered as the page itself answers them: a stranger is sent to
    // sign in, another commune's officer finds nothing.
    const anonymous = await listen(own);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toMatch(/^\/dang-nhap/);
    expect((await page(h, `/thong-bao/${a.id}`)).status).toBe(303);
    const stranger = await listen(own, otherOfficer);
    expect(stranger.status).toBe(404);
    expect(stranger.headers.get('content-type')).not.toContain('audio');
    expect((await page(h, `/thong-bao/${a.id}`, otherOfficer)).status).toBe(404);
    // Only the announcement's own versions, in the formats they have.
    expect((await listen(`/thong-bao/${a.id}/am-thanh/${a.id}-v0.opus`, officer)).status).toBe(404);
    expect((await listen(`/thong-bao/${a.id}/am-thanh/khac-v0.mp3`, officer)).status).toBe(404);

    // Refused content takes no new version (409): the page offers no form that would only be refused.
    expect(html).not.toContain(`action="/thong-bao/${a.id}/ban-dich"`);
    expect((await page(h, `/thong-bao/${a.id}/duyet`, officer, { variantId: a.id + '-v0' })).status).toBe(
      303,
    );
    const approved = await detail(a.id);
    expect(approved).toContain(`action="/thong-bao/${a.id}/ban-dich"`);
    // Live again: the public address plays it once more.
    expect(approved).toContain(`src="/media/${sha}.mp3"`);
    expect((await listen(`/media/${sha}.mp3`)).status).toBe(200);
  });
});
