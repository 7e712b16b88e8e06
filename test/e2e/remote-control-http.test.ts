import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { createDevice } from '../support/receiver-fixtures.js';
import { page, signInPage, type CookieSession } from './support.js';

/** The monitor page's remote control and alarms, over HTTP as a browser without JavaScript. */
describe('remote control and alarms on the monitor page', () => {
  let h: Harness;
  let officer: CookieSession;
  let box: { id: string; token: string };

  const commands = () =>
    h.runtime.db.kysely
      .selectFrom('receiver_commands')
      .select(['receiver_id', 'kind', 'args', 'issued_by'])
      .orderBy('issued_at')
      .execute();

  beforeAll(async () => {
    h = await createHarness();
    officer = await signInPage(h, 'officer');
    box = await createDevice(h, 'un-ta', 'Loa chợ Ún Tà');
  });
  afterAll(() => h.close());

  it('sends a command to a receiver with a button and lists it with its state in Vietnamese', async () => {
    const res = await page(h, '/giam-sat/dieu-khien', officer, {
      target: `r:${box.id}`,
      volume: '45',
      on: '05:00',
      off: '21:30',
      kind: 'volume',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/giam-sat?tb=commandSent');
    expect(await commands()).toEqual([
      { receiver_id: box.id, kind: 'volume', args: '{"volume":45}', issued_by: h.userIds.officer },
    ]);
    const html = await (await page(h, '/giam-sat?tb=commandSent', officer)).text();
    expect(html).toContain('Đã gửi lệnh.');
    expect(html).toContain('Điều khiển từ xa');
    expect(html).toMatch(/Loa chợ Ún Tà · Đặt âm lượng 45 %/);
    expect(html).toContain('đang chờ');
    for (const label of [
      'Tắt tiếng',
      'Bật tiếng',
      'Đặt giờ bật/tắt',
      'Tải lại lịch phát',
      'Khởi động lại',
      'Phát âm thử',
    ])
      expect(html).toContain(label);
  });

  it('sends a hamlet command to each of its boxes, and lifting the daily hours', async () => {
    const before = (await commands()).length;
    const res = await page(h, '/giam-sat/dieu-khien', officer, {
      target: 'h:un-ta',
      volume: '',
      on: '',
      off: '',
      kind: 'hoursOff',
    });
    expect(res.status).toBe(303);
    const made = (await commands()).slice(before);
    expect(made.map((c) => c.receiver_id)).toEqual([box.id]);
    expect(made[0]).toMatchObject({ kind: 'hours', args: '{"hours":null}' });
  });

  it('refuses a bad value next to its field, in Vietnamese, and sends nothing', async () => {
    const before = (await commands()).length;
    const res = await page(h, '/giam-sat/dieu-khien', officer, {
      target: `r:${box.id}`,
      volume: '250',
      on: '05:00',
      off: '21:30',
      kind: 'volume',
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Chưa lưu được');
    expect(html).toMatch(/Tối đa|không quá|100/);
    expect((await commands()).length).toBe(before);
    const foreign = await page(h, '/giam-sat/dieu-khien', officer, { target: 'r:nope', kind: 'refresh' });
    expect(foreign.status).toBe(404);
    expect(await foreign.text()).toContain('Không tìm thấy cụm loa');
  });

  it('opens the remote control with a receiver chosen from the receivers page', async () => {
    const admin = await signInPage(h, 'admin', '10.0.0.3');
    const list = await (await page(h, '/quan-tri/cum-loa', admin)).text();
    const link = `/giam-sat?lenh=${encodeURIComponent(`r:${box.id}`)}#remote`;
    expect(list).toContain(`href="${link.replaceAll('&', '&amp;')}"`);
    const html = await (await page(h, link.replace('#remote', ''), admin)).text();
    expect(html).toContain(`<option value="r:${box.id}" selected="">`);
  });

  it('keeps hamlet heads off the remote control', async () => {
    const head = await signInPage(h, 'head', '10.0.0.2');
    const res = await page(h, '/giam-sat/dieu-khien', head, { target: `r:${box.id}`, kind: 'restart' });
    expect(res.status).toBe(403);
  });

  it('flags a silent box on the monitor page with the time its alarm started', async () => {
    await h.request('/api/v1/receiver/heartbeat', {
      method: 'POST',
      token: box.token,
      json: { volume: 80, uptimeS: 60, freeBytes: 2e9, signal: null, appVersion: '0.2.0' },
    });
    let html = await (await page(h, '/giam-sat', officer)).text();
    expect(html).toContain('Không có cụm loa nào đang báo động.');
    h.clock.advance(4 * 60_000);
    await h.runtime.dispatcher.tick();
    html = await (await page(h, '/giam-sat', officer)).text();
    // The fake clock starts at 08:00 in Vietnam; three missed heartbeats: from 08:03.
    expect(html).toContain('Cảnh báo thiết bị (1)');
    expect(html).toMatch(/data-alarm="missed_heartbeats"[^]*Mất kết nối[^]*từ 08:03 ngày 27\/11\/2026/);
  });

  it("says in Vietnamese why the server closed a command, not in the server's English", async () => {
    const other = await createDevice(h, 'thon-2', 'Loa nhà văn hoá thôn 2');
    for (const target of [`r:${box.id}`, `r:${other.id}`]) {
      const res = await page(h, '/giam-sat/dieu-khien', officer, { target, kind: 'restart' });
      expect(res.status).toBe(303);
    }
    const res = await h.request(`/api/v1/receivers/${other.id}`, {
      method: 'PATCH',
      token: h.tokens.admin,
      json: { disabled: true },
    });
    expect(res.status).toBe(200);
    h.clock.advance(11 * 60_000);
    await h.runtime.dispatcher.tick();
    const html = await (await page(h, '/giam-sat', officer)).text();
    expect(html).toMatch(
      /data-state="timed_out"><strong>Loa chợ Ún Tà · Khởi động lại<[^]*?quá hạn, không phản hồi<\/span> · cụm loa không trả lời trước hạn</,
    );
    expect(html).toMatch(
      /data-state="cancelled"><strong>Loa nhà văn hoá thôn 2 · Khởi động lại<[^]*?đã huỷ<\/span> · cụm loa đã bị tắt trước khi trả lời</,
    );
    for (const english of ['no answer from the receiver', 'the receiver was disabled', 'a newer command'])
      expect(html).not.toContain(english);
  });
});
