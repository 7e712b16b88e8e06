import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAgent, type TestAgent } from '../support/agent-harness.js';
import { createFakeTime } from '../support/fake-time.js';
import { createHarness, type Harness } from '../support/harness.js';
import { startRealServer, type RealServer } from '../support/real-server.js';
import { createDevice, createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';
import { startLocalS3, type LocalS3 } from '../support/s3.js';

/**
 * Where the real agent fetches audio from: the server's own `/media` (and wherever that redirects, a
 * bucket's presigned link), never a host a manifest names on its own.
 */
describe('a receiver agent fetching audio', () => {
  const boxes: TestAgent[] = [];
  const servers: RealServer[] = [];
  const harnesses: Harness[] = [];
  let s3: LocalS3 | undefined;

  afterAll(async () => {
    for (const box of boxes) {
      await box.agent.stop();
      box.close();
    }
    for (const server of servers) await server.stop();
    for (const h of harnesses) await h.close();
    await s3?.close();
  });

  /** A server whose hamlet Ún Tà has two announcements booked, and a box there started on it. */
  async function boxOn(env: Record<string, string> = {}) {
    const h = await createHarness('sqlite', env);
    harnesses.push(h);
    const server = await startRealServer(h);
    servers.push(server);
    const shas: string[] = [];
    for (const at of ['09:00', '10:00']) {
      const ann = await createReadyAnnouncement(h, `Tin ${at}`, [{ language: 'vi', seconds: 1 }]);
      shas.push(ann.variants[0]!.sha256);
      await scheduleBroadcast(h, {
        announcementId: ann.id,
        hamletIds: ['un-ta'],
        at: `2026-11-27T${at}:00+07:00`,
      });
    }
    const device = await createDevice(h, 'un-ta');
    const box = createTestAgent({
      server: server.url,
      token: device.token,
      clock: h.clock,
      time: createFakeTime(h.clock),
    });
    boxes.push(box);
    const cached = (sha256: string) =>
      existsSync(box.cache.pathOf({ sha256, format: 'mp3', bytes: 0, url: '' }));
    return { server, box, shas, cached };
  }

  it('passes over an item whose audio is on another host, and fetches the rest from the server', async () => {
    const { server, box, shas, cached } = await boxOn();
    // Another origin, though the same machine behind it: the bytes would pass the SHA-256 check.
    const elsewhere = `http://localhost:${server.port}`;
    box.faults.rewriteManifest = (manifest) => ({
      ...manifest,
      items: manifest.items.map(({ audio, ...item }) => ({
        ...item,
        audio: audio && audio.sha256 === shas[0] ? { ...audio, url: `${elsewhere}${audio.url}` } : audio,
      })),
    });
    box.agent.start();
    await box.agent.whenIdle();
    expect(box.agent.status().scheduleVersion).not.toBeNull();
    expect(cached(shas[0]!)).toBe(false);
    expect(cached(shas[1]!)).toBe(true);
    expect(box.calls.filter((c) => c.path.includes(shas[0]!))).toEqual([]);
  });

  it('follows the server’s redirect of /media to a presigned link of its bucket', async () => {
    s3 = await startLocalS3();
    const { box, shas, cached } = await boxOn({ ...s3.env('province-15'), MEDIA_REDIRECT: 'presigned' });
    box.agent.start();
    await box.agent.whenIdle();
    expect(shas.map(cached)).toEqual([true, true]);
    expect(box.calls.filter((c) => c.path.startsWith('/media/')).map((c) => c.status)).toEqual([200, 200]);
  });
});
