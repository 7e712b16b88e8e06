import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './support/harness.js';

const PROCESSING_TOKEN = 'processing-token-for-tests';

/** Jobs a processing node takes and never finishes, or finishes with a long report of what went wrong. */
describe('processing nodes that stop or fail on the edge', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('d1', { LOA_PROCESSING_TOKEN: PROCESSING_TOKEN });
  });
  afterAll(() => h.close());

  const node = (path: string, json: unknown) =>
    h.request(path, { method: 'POST', token: PROCESSING_TOKEN, json });
  const typed = async (title: string): Promise<string> => {
    const res = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.secretary,
      json: { title, language: 'vi', text: 'Tối nay họp thôn tại nhà văn hóa.' },
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { id: string }).id;
  };
  const announcement = async (id: string) =>
    (await (await h.request(`/api/v1/announcements/${id}`, { token: h.tokens.secretary })).json()) as {
      status: string;
      error: string | null;
    };

  it('fails the version once every attempt ended without a word from its node, instead of leasing it for ever', async () => {
    const id = await typed('Họp thôn');
    for (let attempt = 1; attempt <= 5; attempt++) {
      const leased = await node('/api/v1/processing/lease', { node: 'may-xa' });
      expect(leased.status).toBe(200);
      expect(((await leased.json()) as { attempt: number }).attempt).toBe(attempt);
      // The node goes quiet: its lease runs out.
      h.clock.advance(61_000);
    }
    expect((await node('/api/v1/processing/lease', { node: 'may-xa' })).status).toBe(204);
    const failed = await announcement(id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/stopped during every attempt/);
  });

  it('takes a failure whose report is longer than it keeps, and tries the job again', async () => {
    const id = await typed('Thu quỹ');
    const leased = await node('/api/v1/processing/lease', { node: 'may-xa' });
    expect(leased.status).toBe(200);
    const { jobId } = (await leased.json()) as { jobId: string };
    const failed = await node(`/api/v1/processing/jobs/${encodeURIComponent(jobId)}/failure`, {
      node: 'may-xa',
      error: `ffmpeg exited with code 1: ${'[mp3 @ 0x5581] invalid frame\n'.repeat(400)}`,
    });
    expect(failed.status, await failed.clone().text()).toBe(200);
    const job = await h.runtime.db.kysely
      .selectFrom('jobs')
      .select(['status', 'last_error'])
      .where('id', '=', jobId)
      .executeTakeFirstOrThrow();
    expect(job.status).toBe('queued');
    expect(job.last_error!.length).toBeLessThanOrEqual(2000);
    expect((await announcement(id)).status).not.toBe('failed');
  });
});
