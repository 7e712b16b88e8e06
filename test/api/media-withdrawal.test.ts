import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announcementWithAudio } from '../support/announcement-fixtures.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';

/**
 * `/media/{sha256}.{ext}` serves audio only while some live content uses it: once every announcement
 * naming it is withdrawn or refused, its audio stops being served (the URL is public and shared by
 * boxes and the listen-again feed), and caches are told to check again rather than keep it for a year.
 */
describe.each(dialects)('audio of withdrawn or refused content on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  const url = (sha256: string) => `/media/${sha256}.mp3`;
  const post = (path: string, json?: unknown) =>
    h.request(path, { method: 'POST', token: h.tokens.officer, ...(json !== undefined && { json }) });

  it('answers 404 for the audio of a withdrawn announcement, to a GET, a HEAD and a revalidation', async () => {
    const a = await createReadyAnnouncement(h, 'Sai lịch họp', [{ language: 'vi', seconds: 2 }]);
    const sha = a.variants[0]!.sha256;
    const before = await h.request(url(sha));
    expect(before.status).toBe(200);
    // Not kept for a year by caches: they check again (cheaply, with the ETag) so a withdrawal holds.
    expect(before.headers.get('cache-control')).not.toContain('immutable');
    expect(before.headers.get('cache-control')).toContain('no-cache');
    expect(before.headers.get('etag')).toBe(`"${sha}"`);
    await before.arrayBuffer();

    expect((await post(`/api/v1/announcements/${a.id}/withdraw`)).status).toBe(200);
    const gone = await h.request(url(sha));
    expect(gone.status).toBe(404);
    expect(gone.headers.get('content-type')).toContain('application/problem+json');
    // A 404 may be kept by a cache by default; this one must not outlive a decision made again.
    expect(gone.headers.get('cache-control')).toBe('no-store');
    expect((await h.request(url(sha), { method: 'HEAD' })).status).toBe(404);
    expect((await h.request(url(sha), { headers: { 'if-none-match': `"${sha}"` } })).status).toBe(404);
    expect((await h.request(url(sha), { headers: { range: 'bytes=100-' } })).status).toBe(404);
  });

  it('keeps serving audio a live announcement uses, when another one with the same bytes is withdrawn', async () => {
    const a = await createReadyAnnouncement(h, 'Tiêm phòng', [{ language: 'vi', seconds: 2 }]);
    const sha = a.variants[0]!.sha256;
    await announcementWithAudio(h, 'copy-live', a.variants[0]!);
    expect((await post(`/api/v1/announcements/${a.id}/withdraw`)).status).toBe(200);
    expect((await h.request(url(sha))).status).toBe(200);
    expect((await post(`/api/v1/announcements/copy-live/withdraw`)).status).toBe(200);
    expect((await h.request(url(sha))).status).toBe(404);
  });

  it('stops serving refused audio, and serves it again once the office approves it again', async () => {
    const a = await createReadyAnnouncement(h, 'Nội dung nhạy cảm', [
      { language: 'vi', seconds: 2 },
      { language: 'giay', seconds: 2 },
    ]);
    const [vi, giay] = a.variants.map((v) => v.sha256);
    expect((await post(`/api/v1/announcements/${a.id}/reject`, { reason: 'Sai nội dung' })).status).toBe(200);
    expect((await h.request(url(vi!))).status).toBe(404);
    expect((await h.request(url(giay!))).status).toBe(404);
    expect((await post(`/api/v1/announcements/${a.id}/approve`)).status).toBe(200);
    expect((await h.request(url(vi!))).status).toBe(200);
    expect((await h.request(url(giay!))).status).toBe(200);
  });

  it('serves audio waiting for the office (it listens before deciding), and none that nothing names', async () => {
    const created = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.secretary,
      json: { title: 'Họp chi đoàn', language: 'vi', text: 'Tối nay họp chi đoàn lúc 19 giờ.' },
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    await h.runtime.jobs.drain();
    const a = (await (
      await h.request(`/api/v1/announcements/${id}`, { token: h.tokens.officer })
    ).json()) as {
      approval: string;
      variants: { audio: { url: string } }[];
    };
    expect(a.approval).toBe('pending');
    expect((await h.request(a.variants[0]!.audio.url)).status).toBe(200);
    expect((await h.request(url('0'.repeat(64)))).status).toBe(404);
  });

  it('takes the airing boxes were told of off their manifest and its audio off /media together', async () => {
    const a = await createReadyAnnouncement(h, 'Lịch cắt điện', [{ language: 'vi', seconds: 2 }]);
    const sha = a.variants[0]!.sha256;
    const at = new Date(h.clock.now().getTime() + 3_600_000).toISOString();
    await scheduleBroadcast(h, { announcementId: a.id, hamletIds: ['un-ta'], at });
    expect((await h.request(url(sha))).status).toBe(200);
    expect((await post(`/api/v1/announcements/${a.id}/withdraw`)).status).toBe(200);
    expect((await h.request(url(sha))).status).toBe(404);
  });
});
