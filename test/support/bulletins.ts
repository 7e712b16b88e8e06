import { expect } from 'vitest';
import type { Harness } from './harness.js';

let counter = 0;

/**
 * A province bulletin made from a text through the API, its audio processed by the real job runner
 * (espeak-ng, ffmpeg), then sent. Checks on the way that sending before the audio is ready is refused.
 */
export async function sendBulletin(
  h: Harness,
  token: string,
  level: 'normal' | 'priority' | 'emergency',
  communeIds: 'all' | string[],
  extra: Record<string, unknown> = {},
): Promise<{
  id: string;
  placements: { communeId: string; broadcastId: string | null; problem: string | null }[];
}> {
  const created = await h.request('/api/v1/province/bulletins', {
    method: 'POST',
    token,
    json: {
      title: `Bản tin ${level} số ${++counter}`,
      language: 'vi',
      category: 'general',
      text: 'Ủy ban nhân dân tỉnh thông báo lịch tiêm phòng cho gia súc.',
      level,
      communeIds,
      ...extra,
    },
  });
  expect(created.status, await created.clone().text()).toBe(202);
  const { id } = (await created.json()) as { id: string };
  const send = () => h.request(`/api/v1/province/bulletins/${id}/send`, { method: 'POST', token });
  const early = await send();
  expect(early.status).toBe(422);
  expect(((await early.json()) as { detailVi: string }).detailVi).toMatch(/chưa xử lý xong/);
  await h.runtime.jobs.drain();
  const sent = await send();
  expect(sent.status, await sent.clone().text()).toBe(200);
  return { id, placements: ((await sent.json()) as { placements: never[] }).placements };
}
