import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type FixtureUser, type Harness } from '../support/harness.js';
import {
  otherCommune,
  otherHamletLanguages,
  provinceFixture,
  setOtherHamletLanguages,
  type ProvinceFixture,
} from '../support/province.js';
import { page, signInPage, type CookieSession } from './support.js';

/**
 * The bulletin pages over HTTP, without a browser (JavaScript off): the province officer makes and sends
 * a bulletin on `/tinh/ban-tin`, Cốc San's office declines it with a reason on `/ban-tin`, Quảng Kim's
 * schedules it, and the province reads each commune's answer.
 */
describe('bulletin pages over HTTP', () => {
  let h: Harness;
  let fixture: ProvinceFixture;

  let province: CookieSession;
  let officer: CookieSession;
  let qkOfficer: CookieSession;

  beforeAll(async () => {
    h = await createHarness();
    fixture = await provinceFixture(h);
    // Province and Quảng Kim users sign in through the same page, with the fixtures' password.
    province = await signInPage(h, 'can-bo-tinh' as FixtureUser, '10.0.0.2');
    officer = await signInPage(h, 'officer', '10.0.0.3');
    qkOfficer = await signInPage(h, 'qk-officer' as FixtureUser, '10.0.0.4');
  });
  afterAll(() => h.close());

  it('makes, sends, declines with a reason, schedules, and shows each commune’s answer', async () => {
    const form = await page(h, '/tinh/ban-tin', province);
    expect(form.status).toBe(200);
    const formHtml = await form.text();
    expect(formHtml).toContain('Soạn bản tin');
    expect(formHtml).toContain('Xã Cốc San');

    // Refusals keep what was typed and say what to fix, in Vietnamese.
    const empty = await page(h, '/tinh/ban-tin', province, {
      title: 'Lịch tiêm phòng',
      text: '',
      level: 'normal',
      communeIds: 'coc-san',
    });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('value="Lịch tiêm phòng"');
    const unknown = await page(h, '/tinh/ban-tin', province, {
      title: 'Lịch tiêm phòng',
      text: 'Tiêm phòng cho gia súc vào thứ bảy.',
      level: 'normal',
      communeIds: ['coc-san', 'xa-ma'],
    });
    expect(unknown.status).toBe(422);
    expect(await unknown.text()).toContain('Không tìm thấy xã (hoặc xã đã bị xoá) trong tỉnh: xa-ma.');

    const made = await page(h, '/tinh/ban-tin', province, {
      title: 'Lịch tiêm phòng',
      text: 'Tiêm phòng cho gia súc vào thứ bảy.',
      level: 'normal',
      communeIds: ['coc-san', otherCommune],
      answerByDate: '2026-11-30',
      answerByTime: '17:00',
    });
    expect(made.status, await made.clone().text()).toBe(303);
    expect(made.headers.get('location')).toBe('/tinh/ban-tin?tb=created');
    const listed = await (await page(h, '/tinh/ban-tin', province)).text();
    const id = /data-bulletin="([^"]+)"/.exec(listed)![1]!;
    expect(listed).toContain('Chưa gửi');

    await h.runtime.jobs.drain();
    const sent = await page(h, `/tinh/ban-tin/${id}/gui`, province, {});
    expect(sent.status).toBe(303);
    expect(sent.headers.get('location')).toBe(`/tinh/ban-tin/${id}?tb=sent`);

    // Cốc San: a refusal needs a reason.
    const inbox = await (await page(h, '/ban-tin', officer)).text();
    expect(inbox).toContain('Lịch tiêm phòng');
    expect(inbox).toContain('Hạn trả lời: ');
    const bare = await page(h, `/ban-tin/${id}/tu-choi`, officer, { reason: '  ' });
    expect(bare.status).toBe(422);
    expect(await bare.text()).toContain('Hãy ghi lý do từ chối bản tin; tỉnh sẽ đọc lý do này.');
    const declined = await page(h, `/ban-tin/${id}/tu-choi`, officer, { reason: 'Xã đã phát tuần trước.' });
    expect(declined.status).toBe(303);
    const after = await (await page(h, '/ban-tin?tb=declined', officer)).text();
    expect(after).toContain('Đã từ chối bản tin.');
    expect(after).toContain('Lý do: Xã đã phát tuần trước.');

    // Quảng Kim: this evening's slot (17:30 there), every hamlet.
    const scheduled = await page(h, `/ban-tin/${id}/xep-lich`, qkOfficer, {
      hamletIds: 'all',
      kind: 'slot',
      date: '2026-11-27',
      slot: 'evening',
    });
    expect(scheduled.status, await scheduled.clone().text()).toBe(303);

    // Cốc San's office cannot reach Quảng Kim's answer: its own delivery is already declined.
    const again = await page(h, `/ban-tin/${id}/xep-lich`, officer, {
      hamletIds: 'all',
      kind: 'slot',
      date: '2026-11-27',
      slot: 'evening',
    });
    expect(again.status).toBe(409);

    const detail = await (await page(h, `/tinh/ban-tin/${id}`, province)).text();
    expect(detail).toMatch(/data-commune="coc-san" data-status="declined"/);
    expect(detail).toContain('Lý do: Xã đã phát tuần trước.');
    expect(detail).toMatch(new RegExp(`data-commune="${otherCommune}" data-status="scheduled"`));
    expect(detail).toContain('Phát lúc 17:30 ngày 27/11/2026');

    // The province's report lists it beside the communes' figures.
    const report = await (await page(h, '/tinh/bao-cao?tu=2026-11-27&den=2026-11-27', province)).text();
    expect(report).toContain('Bản tin của tỉnh trong khoảng này');
    expect(report).toMatch(new RegExp(`data-bulletin="${id}"`));
    expect(report).toMatch(/data-commune="coc-san" data-status="declined"/);
  });

  it("offers the commune's own today as the day to air, also in the hours it is still yesterday in UTC", async () => {
    // 01:30 on 28 November in Cốc San, 18:30 on the 27th in UTC.
    h.clock.set('2026-11-27T18:30:00.000Z');
    const made = await page(h, '/tinh/ban-tin', province, {
      title: 'Lịch thu gom rác',
      text: 'Xe thu gom rác đến các thôn vào sáng thứ hai.',
      level: 'normal',
      communeIds: 'coc-san',
    });
    expect(made.status, await made.clone().text()).toBe(303);
    const listed = await (await page(h, '/tinh/ban-tin', province)).text();
    // The newest first.
    const id = /data-bulletin="([^"]+)"/.exec(listed)![1]!;
    await h.runtime.jobs.drain();
    expect((await page(h, `/tinh/ban-tin/${id}/gui`, province, {})).status).toBe(303);

    const inbox = await (await page(h, '/ban-tin', officer)).text();
    const section = inbox.slice(inbox.indexOf(`id="b-${id}"`));
    expect(section).toMatch(
      /<input[^>]*name="date"[^>]*value="2026-11-28"|<input[^>]*value="2026-11-28"[^>]*name="date"/,
    );
  });

  it('asks a commune to book a priority bulletin the province could not place there, and books it from the page', async () => {
    h.clock.set('2026-12-02T01:00:00.000Z');
    // No hamlet of Quảng Kim plays Vietnamese when it is sent.
    await setOtherHamletLanguages(h, fixture, [['dao'], ['dao'], ['dao']]);
    const made = await page(h, '/tinh/ban-tin', province, {
      title: 'Phòng chống rét đậm',
      text: 'Đưa trâu bò vào chuồng, che chắn kín gió.',
      level: 'priority',
      communeIds: otherCommune,
    });
    expect(made.status, await made.clone().text()).toBe(303);
    const id = /data-bulletin="([^"]+)"/.exec(await (await page(h, '/tinh/ban-tin', province)).text())![1]!;
    await h.runtime.jobs.drain();
    expect((await page(h, `/tinh/ban-tin/${id}/gui`, province, {})).status).toBe(303);
    await setOtherHamletLanguages(h, fixture, otherHamletLanguages);

    const inbox = await (await page(h, '/ban-tin', qkOfficer)).text();
    const section = inbox.slice(inbox.indexOf(`id="b-${id}"`));
    expect(section).toContain('Tỉnh chưa xếp được lịch phát bản tin này ở xã');
    expect(section).toContain(`action="/ban-tin/${id}/xep-lich"`);
    expect(section).not.toContain(`action="/ban-tin/${id}/tu-choi"`);
    const booked = await page(h, `/ban-tin/${id}/xep-lich`, qkOfficer, {
      hamletIds: 'all',
      kind: 'at',
      date: '2026-12-02',
      time: '11:00',
    });
    expect(booked.status, await booked.clone().text()).toBe(303);
    const detail = await (await page(h, `/tinh/ban-tin/${id}`, province)).text();
    expect(detail).toMatch(new RegExp(`data-commune="${otherCommune}" data-status="scheduled"`));
  });
});
