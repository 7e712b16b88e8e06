import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulletinHeaderText } from '../../src/domain/disaster.js';
import type { Manifest } from '../../src/domain/receiver/protocol.js';
import { loudgain } from '../media/loudgain.js';
import { runLoa } from '../support/serve.js';
import { hasTool } from '../support/tools.js';
import { signInTo, startWranglerDev, type WranglerDev } from '../support/wrangler-dev.js';

const processingToken = 'processing-token-for-tests-0123456789';
const adminPassword = 'admin-password-for-tests';

/**
 * A disaster bulletin on the edge profile as `npx wrangler dev --local` runs it (workerd, local D1 and
 * R2), with a real processing node, `loa worker --edge URL --token T --once`, speaking with this
 * machine's espeak-ng and ffmpeg: the bulletin's typed text, then its header with the issue time; the
 * bulletin is on the air and a receiver's manifest plays the header, then the bulletin.
 */
describe('disaster bulletins on the edge with a processing node', () => {
  let edge: WranglerDev;
  let admin: string;
  let work: string;
  beforeAll(async () => {
    edge = await startWranglerDev({
      LOA_PROCESSING_TOKEN: processingToken,
      LOA_ADMIN_PASSWORD: adminPassword,
    });
    work = await mkdtemp(join(tmpdir(), 'loa-bulletin-node-'));
    admin = await signInTo(edge.url, 'admin', adminPassword);
  }, 120_000);
  afterAll(async () => {
    await edge?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const api = (path: string, init: RequestInit = {}, token = admin) =>
    fetch(`${edge.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });
  const postJson = (path: string, body: unknown, token = admin) =>
    api(
      path,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
      token,
    );
  const worker = () =>
    runLoa(
      [
        'worker',
        '--edge',
        edge.url,
        '--token',
        processingToken,
        '--node',
        'may-xa',
        '--work',
        work,
        '--once',
      ],
      { LOG_LEVEL: 'warn' },
    );

  it('speaks the header with the issue time, puts the bulletin on the air, and the manifest plays header then bulletin', async () => {
    // The bulletin's content: a typed text, spoken by the node like any typed text on the edge.
    const made = await postJson('/api/v1/announcements', {
      title: 'Bản tin bão số 3, tin số 1',
      language: 'vi',
      category: 'thien-tai',
      text: 'Bão số 3 đang đi vào vùng biển vịnh Bắc Bộ. Bà con không ra suối, gia cố nhà cửa.',
      voice: 'vi',
    });
    expect(made.status, await made.clone().text()).toBe(202);
    const { id: announcementId } = (await made.json()) as { id: string };
    let run = await worker();
    expect(run.code, run.stderr).toBe(0);
    expect((await postJson(`/api/v1/announcements/${announcementId}/approve`, {})).status).toBe(200);

    const box = await postJson('/api/v1/receivers', { hamletId: 'un-ta', name: 'Cụm loa nhà văn hóa' });
    expect(box.status).toBe(201);
    const boxToken = ((await box.json()) as { token: string }).token;

    const event = await postJson('/api/v1/disaster/events', { name: 'Bão số 3', hazardType: 'storm' });
    expect(event.status).toBe(201);
    const eventId = ((await event.json()) as { id: string }).id;
    // Issued ten minutes ago, on the minute: the header says that time on the commune's clock.
    const issuedAtMs = Math.floor((Date.now() - 10 * 60_000) / 60_000) * 60_000;
    const expected = bulletinHeaderText(issuedAtMs, 'Asia/Ho_Chi_Minh');
    const issued = await postJson(`/api/v1/disaster/events/${eventId}/bulletins`, {
      announcementId,
      riskLevel: 4,
      agency: 'Đài Khí tượng Thủy văn tỉnh Lào Cai',
      issuedAt: new Date(issuedAtMs).toISOString(),
      hamletIds: ['un-ta'],
    });
    expect(issued.status, await issued.clone().text()).toBe(202);
    expect(await issued.json()).toMatchObject({ state: 'waiting_for_header', headerText: expected });

    run = await worker();
    expect(run.code, run.stderr).toBe(0);
    const view = (await (await api(`/api/v1/disaster/events/${eventId}`)).json()) as {
      bulletins: { sequence: number; headerText: string; riskColour: string; endedAt: string | null }[];
    };
    expect(view.bulletins).toMatchObject([
      { sequence: 1, headerText: expected, riskColour: '#d7191c', endedAt: null },
    ]);

    const manifest = (await (await api('/api/v1/receiver/schedule', {}, boxToken)).json()) as Manifest;
    const mine = manifest.items.filter((i) => i.title === 'Bản tin bão số 3, tin số 1');
    // Every airing within the 48 h manifest: header (part 0), then the bulletin (part 1).
    expect(mine.length).toBeGreaterThanOrEqual(2 * 23);
    const content = (await (await api(`/api/v1/announcements/${announcementId}`)).json()) as {
      variants: { audio: { url: string; sha256: string } }[];
    };
    const header = mine.find((i) => i.part === 0)!;
    expect(header.audio!.sha256).not.toBe(content.variants[0]!.audio.sha256);
    for (let n = 0; n < mine.length; n += 2) {
      expect([mine[n]!.part, mine[n + 1]!.part]).toEqual([0, 1]);
      expect(mine[n]!.audio!.sha256).toBe(header.audio!.sha256);
      expect(mine[n + 1]!.audio!.sha256).toBe(content.variants[0]!.audio.sha256);
    }
    if (hasTool('loudgain')) {
      // The header the node spoke, as the box downloads it from R2, is on the targets.
      const audio = await fetch(new URL(header.audio!.url, edge.url));
      expect(audio.status).toBe(200);
      const file = join(work, 'header.mp3');
      await writeFile(file, new Uint8Array(await audio.arrayBuffer()));
      const measured = await loudgain(file);
      expect(Math.abs(measured.integratedLufs + 16)).toBeLessThanOrEqual(0.5);
      expect(measured.truePeakDbtp).toBeLessThanOrEqual(-1.5);
    } else console.log('loudgain not installed: the header is not measured');
  }, 240_000);
});
