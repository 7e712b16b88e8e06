import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { page, signInPage, type CookieSession } from './support.js';

/** What a browser without JavaScript posts for the settings form as shown: every input, checked radios. */
function shownForm(html: string): Record<string, string> {
  const form = /<form method="post" action="\/quan-tri" novalidate="">([\s\S]*?)<\/form>/.exec(html)![1]!;
  const fields: Record<string, string> = {};
  for (const [tag] of form.matchAll(/<input[^>]*>/g)) {
    const attr = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];
    const type = attr('type');
    const name = attr('name');
    if (!name || name === '_csrf') continue;
    if ((type === 'radio' || type === 'checkbox') && !/\bchecked\b/.test(tag)) continue;
    fields[name] = (attr('value') ?? '').replaceAll('&quot;', '"').replaceAll('&amp;', '&');
  }
  return fields;
}

/** The settings page over HTTP when another admin saved the same setting while it was open. */
describe('the settings form over a newer version', () => {
  let h: Harness;
  let admin: CookieSession;

  beforeAll(async () => {
    h = await createHarness();
    admin = await signInPage(h, 'admin');
  });
  afterAll(() => h.close());

  const settings = async () =>
    (
      (await (await h.request('/api/v1/commune', { token: h.tokens.admin })).json()) as {
        settings: { quietHours: { start: string; end: string }; approvalRequired: boolean };
      }
    ).settings;
  const elsewhere = async (json: unknown) => {
    const res = await h.request('/api/v1/commune', { method: 'PATCH', token: h.tokens.admin, json });
    expect(res.status).toBe(200);
  };
  const open = async () => shownForm(await (await page(h, '/quan-tri', admin)).text());

  it('carries the version it showed', async () => {
    const shown = await open();
    expect(shown.version).toMatch(/^\d+$/);
    await elsewhere({ emergency: { repeatCount: 4 } });
    expect(Number((await open()).version)).toBe(Number(shown.version) + 1);
  });

  it('refuses to save a setting changed meanwhile, names it with its new value, and keeps what was typed', async () => {
    const shown = await open();
    expect(shown.quietStart).toBe('21:30');
    // Another admin moves the quiet hours, and turns approval off, while this page is open.
    await elsewhere({ quietHours: { start: '22:00', end: '05:00' }, approvalRequired: false });

    const refused = await page(h, '/quan-tri', admin, { ...shown, quietStart: '21:00' });
    expect(refused.status).toBe(409);
    const html = await refused.text();
    expect(html).toContain('Cài đặt đã được người khác thay đổi');
    expect(html).toContain('hãy xem lại rồi lưu');
    expect(/<div class="form-error"[^>]*>([\s\S]*?)<\/div>/.exec(html)?.[1]).toContain('Giờ nghỉ');
    expect(html).toContain(
      '<p class="field-error" id="quietStart-error">Người khác vừa đổi thành: 22:00</p>',
    );
    expect(html).toContain('<p class="field-error" id="quietEnd-error">Người khác vừa đổi thành: 05:00</p>');
    expect(await settings()).toMatchObject({
      quietHours: { start: '22:00', end: '05:00' },
      approvalRequired: false,
    });

    // What the admin typed stays; what they left alone shows what is saved now.
    const again = shownForm(html);
    expect(again).toMatchObject({ quietStart: '21:00', quietEnd: '05:30', approvalRequired: 'no' });
    expect(Number(again.version)).toBeGreaterThan(Number(shown.version));

    // Looked at again and saved: the admin's quiet hours, the other's approval.
    const saved = await page(h, '/quan-tri', admin, again);
    expect(saved.status, (await saved.clone().text()).slice(0, 300)).toBe(303);
    expect(await settings()).toMatchObject({
      quietHours: { start: '21:00', end: '05:30' },
      approvalRequired: false,
    });
  });

  it('names each standing slot changed meanwhile by its name', async () => {
    const shown = await open();
    await elsewhere({
      slots: [
        { name: 'morning', label: 'Buổi sáng', start: '05:30', end: '06:30', maxAirTimeMin: 45 },
        { name: 'evening', label: 'Buổi chiều', start: '17:00', end: '17:45', maxAirTimeMin: 45 },
      ],
    });
    const refused = await page(h, '/quan-tri', admin, { ...shown, 'slot-morning-end': '06:00' });
    expect(refused.status).toBe(409);
    const html = await refused.text();
    expect(/<div class="form-error"[^>]*>([\s\S]*?)<\/div>/.exec(html)?.[1]).toContain('Buổi sáng');
    expect(html).toContain('Người khác vừa đổi thành: 06:30');
    expect(shownForm(html)['slot-morning-end']).toBe('06:00');
  });

  it('saves a form of before the version was carried as it did then', async () => {
    const { version: _, ...shown } = await open();
    await elsewhere({ quietHours: { start: '22:00', end: '05:00' } });
    const saved = await page(h, '/quan-tri', admin, { ...shown, quietStart: '20:45' });
    expect(saved.status).toBe(303);
    expect((await settings()).quietHours.start).toBe('20:45');
  });
});
