import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { createReadyAnnouncement } from '../support/receiver-fixtures.js';
import { page, signInPage, type CookieSession } from './support.js';

/**
 * The audio of withdrawn or refused content is not served any more (`/media/…` answers 404): the
 * announcement's page says so instead of showing a player that cannot play.
 */
describe('the page of withdrawn or refused content', () => {
  let h: Harness;
  let officer: CookieSession;
  beforeAll(async () => {
    h = await createHarness();
    officer = await signInPage(h, 'officer');
  });
  afterAll(() => h.close());

  const detail = async (id: string) => (await (await page(h, `/thong-bao/${id}`, officer)).text()).toString();

  it('shows no player for withdrawn audio, and says why', async () => {
    const a = await createReadyAnnouncement(h, 'Sai giờ họp', [{ language: 'vi', seconds: 2 }]);
    expect(await detail(a.id)).toContain(`/media/${a.variants[0]!.sha256}.mp3`);
    expect((await page(h, `/thong-bao/${a.id}/rut-lai`, officer, {})).status).toBe(303);
    const html = await detail(a.id);
    expect(html).not.toContain('class="player"');
    expect(html).toContain('không còn phát được trên mạng');
  });

  it('shows no player for refused audio either, nor a form to add a version it would refuse', async () => {
    const a = await createReadyAnnouncement(h, 'Nội dung sai', [{ language: 'vi', seconds: 2 }]);
    const refused = await page(h, `/thong-bao/${a.id}/tu-choi`, officer, { reason: 'Sai nội dung' });
    expect(refused.status).toBe(303);
    const html = await detail(a.id);
    expect(html).not.toContain('class="player"');
    expect(html).toContain('không còn phát được trên mạng');
    expect((await h.request(`/media/${a.variants[0]!.sha256}.mp3`)).status).toBe(404);
    // Refused content takes no new version (409): the page offers no form that would only be refused.
    expect(html).not.toContain(`action="/thong-bao/${a.id}/ban-dich"`);
    expect((await page(h, `/thong-bao/${a.id}/duyet`, officer, { variantId: a.id + '-v0' })).status).toBe(
      303,
    );
    expect(await detail(a.id)).toContain(`action="/thong-bao/${a.id}/ban-dich"`);
  });
});
