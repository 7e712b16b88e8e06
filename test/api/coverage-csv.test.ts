import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createDevice, createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';
import { signInPage, page } from '../e2e/support.js';

/** The text of a CSV answer, after checking it starts with the UTF-8 byte order mark Excel needs. */
async function csvText(res: Response): Promise<string[]> {
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  const bytes = new Uint8Array(await res.arrayBuffer());
  expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  return new TextDecoder().decode(bytes.slice(3)).split('\r\n');
}

describe.each(dialects)('coverage as CSV for programs and for Vietnamese Excel on %s', (dialect) => {
  let h: Harness;
  let box: { id: string; token: string };

  beforeAll(async () => {
    h = await createHarness(dialect);
    box = await createDevice(h, 'un-ta', 'Cụm loa thử');
    const ann = await createReadyAnnouncement(h, 'Họp thôn; mang theo "sổ hộ khẩu"', [
      { language: 'vi', seconds: 2 },
    ]);
    const first = await scheduleBroadcast(h, {
      announcementId: ann.id,
      hamletIds: ['un-ta'],
      at: '2026-11-27T09:00:00+07:00',
    });
    await scheduleBroadcast(h, {
      announcementId: ann.id,
      hamletIds: ['un-ta'],
      at: '2026-11-27T09:10:00+07:00',
    });
    // The new box played one of its two airings and missed the other; Ún Tà's two example boxes never
    // came online: 1 played of 6 expected in the hamlet.
    h.clock.set('2026-11-27T02:00:05.000Z');
    const logged = await h.request('/api/v1/receiver/logs', {
      method: 'POST',
      token: box.token,
      json: {
        events: [
          { id: 'e1', occurrenceId: first.occurrences[0]!.id, type: 'started', at: '2026-11-27T02:00:01Z' },
        ],
      },
    });
    expect(logged.status).toBe(200);
    h.clock.set('2026-11-27T03:00:00.000Z');
    await h.runtime.dispatcher.tick();
  });
  afterAll(() => h.close());

  const report = (query: string, token = h.tokens.officer) =>
    h.request(`/api/v1/reports/coverage?from=2026-11-27&to=2026-11-28${query}`, {
      token,
      headers: { accept: 'text/csv' },
    });

  it('answers programs with stable keys, commas and a decimal point by default', async () => {
    const lines = await csvText(await report(''));
    expect(lines[0]).toBe(
      'level,hamlet_id,hamlet,receiver_id,receiver,scheduled,expected,played,failed,missed,offline,rate,interrupted',
    );
    expect(lines).toContain('hamlet,un-ta,Thôn Ún Tà,,,2,6,1,0,0,5,0.167,0');
    expect(lines).toContain(`receiver,un-ta,Thôn Ún Tà,${box.id},Cụm loa thử,,2,1,0,0,1,0.5,0`);
  });

  it('gives Excel set to Vietnam semicolons, decimal commas and Vietnamese column names', async () => {
    const res = await report('&sep=semicolon');
    expect(res.headers.get('content-disposition')).toMatch(
      /filename="coverage-2026-11-27-2026-11-27-excel\.csv"/,
    );
    const lines = await csvText(res);
    expect(lines[0]).toBe(
      'Cấp;Mã thôn;Thôn;Mã cụm loa;Cụm loa;Đã lên lịch;Lượt cần phát;Đã phát;Phát lỗi;Bị lỡ;Mất kết nối;Tỉ lệ phát;Bị dừng giữa chừng',
    );
    expect(lines).toContain(`Cụm loa;un-ta;Thôn Ún Tà;${box.id};Cụm loa thử;;2;1;0;0;1;0,5;0`);
    expect(lines).toContain('Thôn;thon-4;Thôn số 4 (dữ liệu mẫu);;;0;0;0;0;0;0;;0');
    // Each variant can be named either way.
    expect((await csvText(await report('&header=vi')))[0]).toBe(
      'Cấp,Mã thôn,Thôn,Mã cụm loa,Cụm loa,Đã lên lịch,Lượt cần phát,Đã phát,Phát lỗi,Bị lỡ,Mất kết nối,Tỉ lệ phát,Bị dừng giữa chừng',
    );
    expect((await csvText(await report('&sep=semicolon&header=keys')))[0]).toBe(
      'level;hamlet_id;hamlet;receiver_id;receiver;scheduled;expected;played;failed;missed;offline;rate;interrupted',
    );
    expect((await report('&sep=tab')).status).toBe(400);
  });

  it('downloads from the report page with Vietnamese column names, in both variants', async () => {
    const officer = await signInPage(h, 'officer');
    const plain = await csvText(await page(h, '/giam-sat/bao-cao.csv?tu=2026-11-27&den=2026-11-27', officer));
    expect(plain[0]).toBe(
      'Cấp,Mã thôn,Thôn,Mã cụm loa,Cụm loa,Đã lên lịch,Lượt cần phát,Đã phát,Phát lỗi,Bị lỡ,Mất kết nối,Tỉ lệ phát,Bị dừng giữa chừng',
    );
    expect(plain).toContain(`Cụm loa,un-ta,Thôn Ún Tà,${box.id},Cụm loa thử,,2,1,0,0,1,0.5,0`);
    const excel = await csvText(
      await page(h, '/giam-sat/bao-cao.csv?tu=2026-11-27&den=2026-11-27&sep=semicolon', officer),
    );
    expect(excel).toContain('Thôn;un-ta;Thôn Ún Tà;;;2;6;1;0;0;5;0,167;0');
    const html = await (await page(h, '/giam-sat/bao-cao?tu=2026-11-27&den=2026-11-27', officer)).text();
    expect(html).toContain('href="/giam-sat/bao-cao.csv?tu=2026-11-27&amp;den=2026-11-27&amp;sep=semicolon"');
  });

  it('sends a half year to the CSV the page points to, and says what is wrong with a longer one', async () => {
    const officer = await signInPage(h, 'officer');
    const half = 'tu=2026-06-01&den=2026-11-30';
    const shown = await page(h, `/giam-sat/bao-cao?${half}`, officer);
    expect(shown.status).toBe(400);
    const html = await shown.text();
    expect(html).toContain('Mỗi lần xem tối đa 92 ngày; hãy tải CSV cho khoảng dài hơn (tối đa 400 ngày).');
    expect(html).toContain(`href="/giam-sat/bao-cao.csv?${half.replace('&', '&amp;')}"`);
    const csv = await csvText(await page(h, `/giam-sat/bao-cao.csv?${half}`, officer));
    expect(csv).toContain('Thôn,un-ta,Thôn Ún Tà,,,2,6,1,0,0,5,0.167,0');

    const tooLong = await page(h, '/giam-sat/bao-cao.csv?tu=2025-01-01&den=2026-11-30', officer);
    expect(tooLong.status).toBe(303);
    expect(tooLong.headers.get('location')).toBe('/giam-sat/bao-cao?tu=2025-01-01&den=2026-11-30');
    const refused = await (await page(h, tooLong.headers.get('location')!, officer)).text();
    expect(refused).toContain('hãy tải CSV cho khoảng dài hơn (tối đa 400 ngày)');
    expect(refused).not.toContain('href="/giam-sat/bao-cao.csv');

    // The calendar's last day is answered at once (its next day is past the calendar), not walked to: the
    // form says which days a report covers.
    const last = await page(h, '/giam-sat/bao-cao?tu=9999-12-31&den=9999-12-31', officer);
    expect(last.status).toBe(400);
    expect(await last.text()).toContain('Báo cáo chỉ có cho các ngày từ 01/01/2000 đến 30/12/9999');
    expect((await page(h, `/giam-sat/bao-cao?${half}`, officer)).status).toBe(400);
  });
});
