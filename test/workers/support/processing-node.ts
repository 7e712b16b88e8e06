import { expect } from 'vitest';
import type { Harness } from './harness.js';

const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

/**
 * Plays a processing node until no job is left: leases each job and sends back an MP3 the real pipeline
 * made (`mp3`, base64). Returns the texts it was asked to speak, in turn.
 */
export async function speakAll(h: Harness, token: string, mp3: string, node = 'may-tinh'): Promise<string[]> {
  const spoken: string[] = [];
  for (;;) {
    const res = await h.request('/api/v1/processing/lease', { method: 'POST', token, json: { node } });
    if (res.status === 204) return spoken;
    expect(res.status).toBe(200);
    const lease = (await res.json()) as { jobId: string; source: { text?: string } };
    if (lease.source.text !== undefined) spoken.push(lease.source.text);
    const form = new FormData();
    form.set('file', new File([bytes(mp3)], 'out.mp3', { type: 'audio/mpeg' }));
    const done = await h.request(
      `/api/v1/processing/jobs/${encodeURIComponent(lease.jobId)}/result?node=${encodeURIComponent(node)}`,
      { method: 'POST', token, body: form },
    );
    expect(done.status, await done.clone().text()).toBe(200);
  }
}
