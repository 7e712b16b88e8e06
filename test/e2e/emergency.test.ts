import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAgent, type TestAgent } from '../support/agent-harness.js';
import { createFakeTime, type FakeTime } from '../support/fake-time.js';
import { createHarness, type Harness } from '../support/harness.js';
import { startRealServer, type RealServer } from '../support/real-server.js';
import { createDevice } from '../support/receiver-fixtures.js';
import { hasTool } from '../support/tools.js';
import { launchChromium, phoneContext, poll, screenshots, signIn } from './browser.js';

const T0 = '2026-11-27T01:00:00.000Z'; // 08:00 in the commune
const THON_3 = 'Thôn số 3 (dữ liệu mẫu)';
const THON_4 = 'Thôn số 4 (dữ liệu mẫu)';

interface ManifestItem {
  occurrenceId: string;
  priority: string;
  audio: { sha256: string } | null;
}

/**
 * The commune office's emergency from scratch, in a real Chromium against a real server: it types a
 * text, watches it being processed, confirms, and follows the boxes that start playing: one real agent
 * (push channel, cache, player) and three boxes that speak the protocol over HTTP, plus one that never
 * connects. Then it opens the broadcast's page, with every box's status, times and audio hash.
 */
describe.skipIf(!hasTool('chromium'))('emergency from scratch in a browser', () => {
  let h: Harness;
  let server: RealServer;
  let time: FakeTime;
  let agent: TestAgent;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const boxes: Record<'market' | 'hall' | 'school' | 'upper' | 'lower', { id: string; token: string }> =
    {} as never;
  let announcementId = '';
  let broadcastId = '';

  /** A box speaking the receiver protocol over HTTP to the real server. */
  const protocol = (token: string) => {
    const call = async (path: string, body?: unknown) => {
      const res = await fetch(`${server.url}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      expect(res.status, await res.clone().text()).toBe(200);
      return res.json() as Promise<Record<string, unknown>>;
    };
    return {
      heartbeat: () =>
        call('/api/v1/receiver/heartbeat', {
          volume: 90,
          uptimeS: 3600,
          freeBytes: 5_000_000_000,
          signal: -80,
          appVersion: '0.2.0',
        }),
      /** The emergency in the box's manifest: what it would fetch and play. */
      emergency: async () => {
        const manifest = (await call('/api/v1/receiver/schedule')) as { items: ManifestItem[] };
        return manifest.items.find((i) => i.priority === 'emergency')!;
      },
      report: (events: unknown[]) => call('/api/v1/receiver/logs', { events }),
    };
  };
  const settle = () => agent.agent.whenIdle();

  beforeAll(async () => {
    h = await createHarness();
    h.clock.set(T0);
    server = await startRealServer(h);
    time = createFakeTime(h.clock);
    boxes.market = await createDevice(h, 'thon-3', 'Cụm loa chợ');
    boxes.hall = await createDevice(h, 'thon-3', 'Cụm loa nhà văn hóa');
    boxes.school = await createDevice(h, 'thon-3', 'Cụm loa trường học');
    boxes.upper = await createDevice(h, 'thon-4', 'Cụm loa đầu bản');
    boxes.lower = await createDevice(h, 'thon-4', 'Cụm loa cuối bản');
    agent = createTestAgent({ server: server.url, token: boxes.market.token, clock: h.clock, time });
    agent.agent.start();
    await settle();
    for (const box of [boxes.hall, boxes.school, boxes.upper]) await protocol(box.token).heartbeat();
    browser = await launchChromium();
    context = await phoneContext(browser);
    page = await context.newPage();
    await signIn(page, server.url, 'officer');
  });
  afterAll(async () => {
    await browser?.close();
    await agent?.agent.stop();
    agent?.close();
    await server?.stop();
    await h?.close();
  });

  it('types the text, picks two hamlets, and sees the audio processed in place', async () => {
    await page.getByRole('link', { name: 'Phát khẩn cấp' }).click();
    expect(await page.getByRole('radio', { name: 'Gõ văn bản (máy đọc)' }).isChecked()).toBe(true);
    // Nothing typed, no hamlet: each field says what is missing, in Vietnamese.
    await page.getByRole('button', { name: 'Tiếp tục' }).click();
    await poll(() => page.locator('#text-error').textContent()).toBe('Hãy gõ nội dung cần đọc.');
    expect(await page.locator('#hamletIds-error').textContent()).toBe('Hãy điền mục này.');

    await page
      .getByLabel('Nội dung văn bản')
      .fill('Cảnh báo lũ quét. Bà con không qua suối Nậm Chăn, đưa trâu bò lên chỗ cao ngay.');
    await page.getByRole('checkbox', { name: THON_3 }).check();
    await page.getByRole('checkbox', { name: THON_4 }).check();
    await screenshots(page, 'officer-emergency-form');
    await page.getByRole('button', { name: 'Tiếp tục' }).click();

    await poll(() => page.locator('h1').textContent()).toBe('Đang chuẩn bị âm thanh');
    expect(await page.locator('[data-status-text]').textContent()).toBe('Đang chờ xử lý');
    announcementId = new URL(page.url()).searchParams.get('announcementId')!;
    await screenshots(page, 'officer-emergency-preparing');

    // The audio work runs; the page notices by itself and shows the confirmation.
    await h.runtime.jobs.drain();
    await poll(() => page.locator('h1').textContent()).toBe('Xác nhận phát khẩn cấp');
    expect(await page.locator('[data-status-text]').textContent()).toBe('Sẵn sàng');
    expect(await page.locator('dl.facts').textContent()).toContain('Cảnh báo lũ quét. Bà con không qua suối');
    expect(await page.locator(`[data-online] tr[data-hamlet="thon-3"]`).textContent()).toContain(
      '3/3 cụm loa đang trực tuyến',
    );
    expect(await page.locator(`[data-online] tr[data-hamlet="thon-4"]`).textContent()).toContain(
      '1/2 cụm loa đang trực tuyến',
    );
    expect(await page.locator('audio').count()).toBe(1);
    await screenshots(page, 'officer-emergency-confirm');

    // Typed by the office in the emergency form: approved by that act, and the audit log says so.
    const a = (await (
      await h.request(`/api/v1/announcements/${announcementId}`, { token: h.tokens.officer })
    ).json()) as { approval: string; hamletId: string | null };
    expect(a).toMatchObject({ approval: 'approved', hamletId: null });
    const audit = await h.runtime.repos.audit.listRecentAudit(20);
    expect(
      audit.find((r) => r.action === 'announcement.approve' && r.targetId === announcementId),
    ).toMatchObject({
      actorId: h.userIds.officer,
      details: { reason: 'approved on creation for an emergency' },
    });
  });

  it('confirms, then watches the boxes start one by one and sees the names of those that did not', async () => {
    const before = (await (await h.request('/api/v1/broadcasts', { token: h.tokens.officer })).json()) as {
      items: unknown[];
    };
    expect(before.items).toHaveLength(0);
    await page.getByRole('button', { name: 'Xác nhận phát' }).click();
    await poll(() => page.locator('.notice').textContent()).toContain('Đã phát lệnh khẩn cấp');
    broadcastId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    expect(await page.locator('[data-reach-sent]').textContent()).toContain(
      'đã gửi tới 4/5 cụm loa đang trực tuyến',
    );
    // A mark on the page: if it is still there at the end, the counts changed without a reload.
    await page.evaluate('window.__stayed = true');

    // The real agent got the push, fetched the audio, started it and reported.
    await time.advance(1000, settle);
    await poll(() => page.locator('[data-reach-started]').textContent()).toBe('1/5 cụm loa đã bắt đầu phát.');
    const pending = () => page.locator('[data-reach-pending] li strong').allTextContents();
    expect((await pending()).sort()).toEqual(
      ['Cụm loa cuối bản', 'Cụm loa trường học', 'Cụm loa nhà văn hóa', 'Cụm loa đầu bản'].sort(),
    );

    // The other boxes read their manifest and report what they did.
    const hall = protocol(boxes.hall.token);
    const item = await hall.emergency();
    const sha256 = item.audio!.sha256;
    await hall.report([
      { id: 'h1', occurrenceId: item.occurrenceId, type: 'started', at: '2026-11-27T01:00:01.000Z', sha256 },
    ]);
    await poll(() => page.locator('[data-reach-started]').textContent()).toBe('2/5 cụm loa đã bắt đầu phát.');
    const upper = protocol(boxes.upper.token);
    const upperItem = await upper.emergency();
    await upper.report([
      {
        id: 'u1',
        occurrenceId: upperItem.occurrenceId,
        type: 'started',
        at: '2026-11-27T01:00:02.000Z',
        sha256: upperItem.audio!.sha256,
      },
      { id: 'u2', occurrenceId: upperItem.occurrenceId, type: 'completed', at: '2026-11-27T01:00:09.000Z' },
    ]);
    await poll(() => page.locator('[data-reach-started]').textContent()).toBe('3/5 cụm loa đã bắt đầu phát.');
    const school = protocol(boxes.school.token);
    await school.report([
      {
        id: 's1',
        occurrenceId: (await school.emergency()).occurrenceId,
        type: 'failed',
        at: '2026-11-27T01:00:01.000Z',
        detail: 'amplifier has no power',
      },
    ]);
    const list = page.locator('[data-reach-pending]');
    await poll(() => list.locator('li', { hasText: 'Cụm loa trường học' }).textContent()).toBe(
      `Cụm loa trường học — ${THON_3} · Phát lỗi`,
    );
    expect((await pending()).sort()).toEqual(['Cụm loa cuối bản', 'Cụm loa trường học']);
    expect(await list.locator('li', { hasText: 'Cụm loa cuối bản' }).textContent()).toBe(
      `Cụm loa cuối bản — ${THON_4} · mất kết nối lúc gửi`,
    );
    expect(await page.locator('[data-reach-started]').textContent()).toBe('3/5 cụm loa đã bắt đầu phát.');
    expect(await page.evaluate('window.__stayed')).toBe(true);
    await screenshots(page, 'officer-emergency-sent');

    const after = (await (await h.request('/api/v1/broadcasts', { token: h.tokens.officer })).json()) as {
      items: { id: string; priority: string; hamletIds: string[]; occurrences: unknown[] }[];
    };
    expect(after.items).toHaveLength(1);
    expect(after.items[0]).toMatchObject({ id: broadcastId, priority: 'emergency' });
    expect(after.items[0]!.hamletIds.sort()).toEqual(['thon-3', 'thon-4']);
    expect(after.items[0]!.occurrences).toHaveLength(6);
  });

  it("opens the broadcast's page: each box's status, start and end, and the hash of the audio it played", async () => {
    // Past the end of the first airing and its grace: a box that never reported is now known offline.
    h.clock.set('2026-11-27T01:12:00.000Z');
    await page.getByRole('link', { name: 'Xem chi tiết từng cụm loa' }).click();
    await poll(() => page.locator('h1').textContent()).toMatch(/^Lịch phát: Cảnh báo lũ quét/);
    const playback = (await (
      await h.request(`/api/v1/broadcasts/${broadcastId}/playback`, { token: h.tokens.officer })
    ).json()) as { occurrences: { id: string; hamletId: string; startsAt: string }[] };
    const first = (hamlet: string) =>
      playback.occurrences.find((o) => o.hamletId === hamlet && o.startsAt === T0)!.id;
    const row = (hamlet: string, name: string) =>
      page.locator(`#o-${first(hamlet)} tr`, { has: page.locator('th', { hasText: name }) });
    const sha256 = (await protocol(boxes.hall.token).emergency()).audio!.sha256;

    const market = row('thon-3', 'Cụm loa chợ');
    expect(await market.locator('.badge').textContent()).toContain('Đã phát');
    expect(await market.locator('td[data-label="Bắt đầu"]').textContent()).toBe('08:00:00');
    expect(await market.locator('td[data-label="Kết thúc"]').textContent()).toMatch(/^08:00:\d\d$/);
    expect(await market.locator('code.hash').textContent()).toBe(sha256);

    const hall = row('thon-3', 'Cụm loa nhà văn hóa');
    expect(await hall.locator('.badge').textContent()).toContain('Đã phát');
    expect(await hall.locator('td[data-label="Bắt đầu"]').textContent()).toBe('08:00:01');
    expect(await hall.locator('code.hash').textContent()).toBe(sha256);

    const school = row('thon-3', 'Cụm loa trường học');
    expect(await school.locator('td[data-label="Trạng thái"]').textContent()).toContain(
      'Phát lỗi amplifier has no power',
    );

    const upper = row('thon-4', 'Cụm loa đầu bản');
    expect(await upper.locator('td[data-label="Bắt đầu"]').textContent()).toBe('08:00:02');
    expect(await upper.locator('td[data-label="Kết thúc"]').textContent()).toBe('08:00:09');
    expect(await row('thon-4', 'Cụm loa cuối bản').locator('.badge').textContent()).toContain('Mất kết nối');
    expect(await page.locator(`#o-${first('thon-3')} [data-aired]`).textContent()).toBe(
      '2/3 cụm loa đã phát',
    );
    expect(await page.locator(`#o-${first('thon-4')} [data-aired]`).textContent()).toBe(
      '1/2 cụm loa đã phát',
    );
    await screenshots(page, 'officer-broadcast-playback');

    // A box's name opens its day: online since its first heartbeat, and what it played.
    await market.getByRole('link', { name: 'Cụm loa chợ' }).click();
    await poll(() => page.locator('h1').textContent()).toBe('Nhật ký trong ngày — Cụm loa chợ');
    expect(await page.locator('[data-spans] li').allTextContents()).toEqual([
      '00:00–08:00 ✕ Mất kết nối',
      '08:00–08:02 ✓ Trực tuyến',
      '08:02–08:12 ✕ Mất kết nối',
    ]);
    const airing = page.locator(`tr[data-occurrence="${first('thon-3')}"]`);
    expect(await airing.locator('.badge').textContent()).toContain('Đã phát');
    expect(await airing.locator('code.hash').textContent()).toBe(sha256);
    await screenshots(page, 'officer-receiver-day');

    // The report counts boxes, not occurrences: thôn 4 heard it on one box of two.
    await page.goto(`${server.url}/giam-sat/bao-cao?tu=2026-11-27&den=2026-11-27`);
    const hamletRow = (id: string) => page.locator(`[data-coverage="hamlets"] tr[data-hamlet="${id}"]`);
    expect(await hamletRow('thon-4').locator('td[data-label="Tỉ lệ phát"]').textContent()).toBe('50 %');
    expect(await hamletRow('thon-4').locator('td[data-label="Mất kết nối"]').textContent()).toContain(
      '1 mất kết nối',
    );
    expect(await hamletRow('thon-3').locator('td[data-label="Tỉ lệ phát"]').textContent()).toBe('67 %');
    const boxRow = page.locator(`[data-coverage="receivers"] tr[data-receiver="${boxes.lower.id}"]`);
    expect(await boxRow.locator('td[data-label="Tỉ lệ phát"]').textContent()).toBe('0 %');
    await screenshots(page, 'officer-coverage-receivers');
  });

  it('picks existing content instead, and says why the rest is not offered', async () => {
    const create = async (title: string) => {
      const res = await h.request('/api/v1/announcements', {
        method: 'POST',
        token: h.tokens.secretary,
        json: { title, language: 'vi', text: 'Mời bà con họp thôn.' },
      });
      return ((await res.json()) as { id: string }).id;
    };
    await create('Họp thôn cuối năm');
    h.clock.advance(1000);
    const refused = await create('Bán phân bón giá rẻ');
    await h.runtime.jobs.drain();
    await h.request(`/api/v1/announcements/${refused}/reject`, {
      method: 'POST',
      token: h.tokens.officer,
      json: { reason: 'Quảng cáo' },
    });
    h.clock.advance(1000);
    await create('Lịch tiêm phòng');

    await page.goto(`${server.url}/giam-sat/khan-cap`);
    await page.getByRole('radio', { name: 'Chọn thông báo có sẵn' }).check();
    const withheld = page.locator('[data-withheld] li');
    expect(await withheld.allTextContents()).toEqual([
      'Lịch tiêm phòng — đang xử lý âm thanh',
      'Bán phân bón giá rẻ — đã bị từ chối',
      'Họp thôn cuối năm — đang chờ văn phòng xã duyệt',
    ]);
    await screenshots(page, 'officer-emergency-existing');
    await page.getByLabel('Thông báo', { exact: true }).selectOption({ index: 1 });
    await page.getByRole('checkbox', { name: 'Thôn Ún Tà' }).check();
    await page.getByRole('button', { name: 'Tiếp tục' }).click();
    await poll(() => page.locator('h1').textContent()).toBe('Xác nhận phát khẩn cấp');
    expect(await page.locator('dl.facts').textContent()).toContain('Thôn Ún Tà');
    // The example boxes of Ún Tà have never connected.
    expect(await page.locator('[data-online] tr[data-hamlet="un-ta"]').textContent()).toContain(
      '0/2 cụm loa đang trực tuyến',
    );
    await page.getByRole('button', { name: 'Xác nhận phát' }).click();
    await poll(() => page.locator('[data-reach-sent]').textContent()).toContain(
      'đã gửi tới 0/2 cụm loa đang trực tuyến',
    );
    expect(await page.locator('[data-reach-pending] li').allTextContents()).toEqual([
      'Cụm loa Ún Tà — ngã ba — Thôn Ún Tà · mất kết nối lúc gửi',
      'Cụm loa Ún Tà — nhà văn hóa — Thôn Ún Tà · mất kết nối lúc gửi',
    ]);
  });
});
