import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/domain/ports/ids.js';
import { createHarness, type FixtureUser, type Harness } from '../support/harness.js';
import { createReadyAnnouncement, uploadedVariant } from '../support/receiver-fixtures.js';
import { page, signInPage } from './support.js';

/** The lists people pick from once a commune has more announcements than a page holds. */
describe('announcement lists on the pages', () => {
  let h: Harness;
  let sha256: string;

  beforeAll(async () => {
    h = await createHarness();
    sha256 = (await createReadyAnnouncement(h, 'Âm thanh mẫu', [{ language: 'vi', seconds: 1 }])).variants[0]!
      .sha256;
  });
  afterAll(() => h.close());

  /** Processed and approved announcements, one after another, as the service names them (in time order). */
  async function ready(titles: readonly string[], by: FixtureUser = 'secretary'): Promise<string[]> {
    const repo = h.runtime.repos.announcements;
    const now = h.clock.now().toISOString();
    const ids: string[] = [];
    for (const title of titles) {
      const id = uuidv7();
      await repo.insertAnnouncement(
        {
          id,
          communeId: 'coc-san',
          hamletId: 'un-ta',
          title,
          category: 'general',
          createdBy: h.userIds[by],
          approval: 'approved',
        },
        now,
      );
      const variant = uploadedVariant(`${id}-vi`, 'vi');
      await repo.insertVariant(id, variant, now);
      await repo.setVariantAudio(variant.id, sha256, null, now);
      await repo.setAnnouncementStatus(id, 'ready', null, now);
      ids.push(id);
    }
    return ids;
  }

  const titles = (from: number, to: number, name: string) =>
    Array.from({ length: to - from + 1 }, (_, i) => `${name} ${from + i}`);

  it("shows a secretary her newest announcements when she has made more than the page's hundred", async () => {
    await ready(titles(1, 101, 'Bản tin số'));
    const secretary = await signInPage(h, 'secretary');
    const html = await (await page(h, '/thong-bao', secretary)).text();
    expect(html).toContain('<strong>Bản tin số 101</strong>');
    expect(html).toContain('<strong>Bản tin số 2</strong>');
    expect(html).not.toContain('<strong>Bản tin số 1</strong>');

    // The API pages either way; its cursor follows the order asked for.
    const list = async (query: string) => {
      const res = await h.request(`/api/v1/announcements?mine=true&${query}`, { token: h.tokens.secretary });
      expect(res.status).toBe(200);
      return (await res.json()) as { items: { title: string }[]; nextCursor: string | null };
    };
    const first = await list('order=newest&limit=2');
    expect(first.items.map((a) => a.title)).toEqual(['Bản tin số 101', 'Bản tin số 100']);
    const second = await list(`order=newest&limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((a) => a.title)).toEqual(['Bản tin số 99', 'Bản tin số 98']);
    expect((await list('limit=1')).items.map((a) => a.title)).toEqual(['Bản tin số 1']);
  });

  it('offers a hamlet head the newest content, content waiting on a new version, and no withdrawn content', async () => {
    await ready(titles(1, 200, 'Tin cũ hơn'), 'officer');
    const [waiting, withdrawn] = await ready(['Lịch tiêm chủng', 'Thu thuế đất']);
    const [newest] = await ready(['Họp dân tháng Chạp'], 'officer');
    // A Giáy version added to approved content waits for the office; the Vietnamese one may still air.
    const repo = h.runtime.repos.announcements;
    const now = h.clock.now().toISOString();
    await repo.insertVariant(waiting!, uploadedVariant(`${waiting}-giay`, 'giay', 'pending'), now);
    await repo.setVariantAudio(`${waiting}-giay`, sha256, null, now);
    await repo.setApproval(waiting!, 'pending', null, null, now);
    const withdraw = await h.request(`/api/v1/announcements/${withdrawn}/withdraw`, {
      method: 'POST',
      token: h.tokens.officer,
    });
    expect(withdraw.status).toBe(200);

    const head = await signInPage(h, 'head');
    const offered = async () => {
      const html = await (await page(h, '/lich-phat/un-ta', head)).text();
      return (id: string) => html.includes(`<option value="${id}"`);
    };
    const required = await offered();
    expect(required(newest!)).toBe(true);
    expect(required(waiting!)).toBe(true);
    expect(required(withdrawn!)).toBe(false);
    // The page offers only what the booking takes: the Vietnamese version is booked.
    const booked = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.head,
      json: {
        announcementId: waiting,
        hamletIds: ['un-ta'],
        at: new Date(h.clock.now().getTime() + 86_400_000).toISOString(),
      },
    });
    expect(booked.status).toBe(201);

    const patch = await h.request('/api/v1/commune', {
      method: 'PATCH',
      token: h.tokens.admin,
      json: { approvalRequired: false },
    });
    expect(patch.status).toBe(200);
    const free = await offered();
    expect(free(newest!)).toBe(true);
    expect(free(withdrawn!)).toBe(false);
  });
});
