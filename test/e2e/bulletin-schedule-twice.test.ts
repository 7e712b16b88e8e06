import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendBulletin } from '../support/bulletins.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { provinceFixture, type ProvinceFixture } from '../support/province.js';
import { page, signInPage, type CookieSession } from './support.js';

// The harness clock: Friday 2026-11-27, 08:00 in Cốc San; the evening slot opens at 17:00.
const form = { action: 'schedule', hamletIds: 'all', kind: 'slot', date: '2026-11-28', slot: 'evening' };

/**
 * "Xếp lịch" on the commune's inbox pressed again — a double click, the form sent again after a slow
 * answer, or two officers at the same moment — is harmless: the bulletin is placed once, and each person
 * lands on its card, scheduled, with a notice that says so in Vietnamese.
 */
describe.each(dialects)('scheduling a bulletin from the inbox twice, over %s', (dialect) => {
  let h: Harness;
  let p: ProvinceFixture;
  let officer: CookieSession;
  let admin: CookieSession;

  beforeAll(async () => {
    h = await createHarness(dialect);
    p = await provinceFixture(h);
    officer = await signInPage(h, 'officer', '10.0.0.3');
    admin = await signInPage(h, 'admin', '10.0.0.5');
  });
  afterAll(() => h.close());

  const send = async () => (await sendBulletin(h, p.tokens.provinceOfficer, 'normal', ['coc-san'])).id;
  const schedule = (id: string, who: CookieSession) => page(h, `/ban-tin/${id}/xep-lich`, who, form);

  /** Coc San's delivery as the province reads it, and the inbox card of the bulletin. */
  async function placed(id: string) {
    const res = await h.request(`/api/v1/province/bulletins/${id}`, { token: p.tokens.provinceOfficer });
    const view = (await res.json()) as {
      deliveries: { communeId: string; status: string; broadcastIds: string[] }[];
    };
    const delivery = view.deliveries.find((d) => d.communeId === 'coc-san')!;
    const broadcasts = (await (
      await h.request(
        '/api/v1/broadcasts?hamletId=thon-4&from=2026-11-28T00:00:00Z&to=2026-11-29T00:00:00Z',
        { token: h.tokens.officer },
      )
    ).json()) as { items: { id: string }[] };
    return {
      delivery,
      booked: broadcasts.items.filter((b) => delivery.broadcastIds.includes(b.id)).length,
    };
  }

  it('lands the same person on the scheduled card, whether pressed twice at once or again later', async () => {
    const id = await send();
    const landing = `/ban-tin?tb=scheduled#b-${id}`;
    const both = await Promise.all([schedule(id, officer), schedule(id, officer)]);
    expect(both.map((r) => r.status)).toEqual([303, 303]);
    expect(both.map((r) => r.headers.get('location'))).toEqual([landing, landing]);
    const later = await schedule(id, officer);
    expect(later.status).toBe(303);
    expect(later.headers.get('location')).toBe(landing);

    const { delivery, booked } = await placed(id);
    expect(delivery.status).toBe('scheduled');
    expect(delivery.broadcastIds).toHaveLength(1);
    expect(booked).toBe(1);
    const inbox = await (await page(h, '/ban-tin?tb=scheduled', officer)).text();
    expect(inbox).toContain('<p class="notice" role="status">Đã xếp lịch phát bản tin.</p>');
    expect(inbox).toContain(`data-bulletin="${id}" data-status="scheduled"`);
  });

  it('tells the second of two officers at once that the commune already scheduled it, on its card', async () => {
    const id = await send();
    const answers = await Promise.all([schedule(id, officer), schedule(id, admin)]);
    expect(answers.map((r) => r.status)).toEqual([303, 303]);
    const notices = answers.map((r) =>
      new URL(r.headers.get('location')!, 'http://x').searchParams.get('tb'),
    );
    expect(notices.sort()).toEqual(['scheduled', 'scheduledByOther']);
    for (const r of answers) expect(r.headers.get('location')).toMatch(new RegExp(`#b-${id}$`));

    const { delivery, booked } = await placed(id);
    expect(delivery.broadcastIds).toHaveLength(1);
    expect(booked).toBe(1);
    const inbox = await (await page(h, '/ban-tin?tb=scheduledByOther', admin)).text();
    expect(inbox).toContain(
      '<p class="notice" role="status">Xã đã xếp lịch phát bản tin này (có thể do người khác vừa thao tác); lịch phát ghi ở bản tin bên dưới.</p>',
    );
  });

  it('still refuses to schedule a bulletin the commune declined, in Vietnamese on the inbox', async () => {
    const id = await send();
    const declined = await page(h, `/ban-tin/${id}/tu-choi`, officer, { reason: 'Xã đã phát tuần trước.' });
    expect(declined.status).toBe(303);
    const late = await schedule(id, officer);
    expect(late.status).toBe(409);
    expect(await late.text()).toContain('Xã đã từ chối bản tin này.');
    expect((await placed(id)).delivery.broadcastIds).toHaveLength(0);
  });
});
