import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg, type FfmpegBinaries } from '../../src/media/ffmpeg-binaries.js';
import { inspectAudio } from '../../src/media/inspect.js';
import { processAudio } from '../../src/media/pipeline.js';
import { probeFile } from '../../src/media/probe.js';
import { AudioRejectedError, type AudioRejection } from '../../src/media/rejection.js';
import { createFixtures, type BadFixture, type FixtureFactory } from './fixtures.js';

let fixtures: FixtureFactory;
let binaries: FfmpegBinaries;
let work: string;

beforeAll(async () => {
  fixtures = await createFixtures();
  binaries = await resolveFfmpeg(process.env);
  work = await mkdtemp(join(tmpdir(), 'loa-media-reject-'));
});
afterAll(async () => {
  await fixtures?.cleanup();
  await rm(work, { recursive: true, force: true });
});

const cases: readonly {
  readonly name: BadFixture;
  readonly code: AudioRejection['code'];
  readonly status: 415 | 422;
  readonly reason?: AudioRejection['reason'];
  readonly says: RegExp;
}[] = [
  { name: 'empty', code: 'empty', status: 422, says: /0 byte/ },
  { name: 'pngAsMp3', code: 'no_audio', status: 415, reason: 'image', says: /hình ảnh/ },
  { name: 'pdf', code: 'unreadable', status: 415, says: /Không đọc được tệp/ },
  { name: 'truncatedMp3', code: 'unreadable', status: 415, reason: 'truncated', says: /thiếu phần cuối/ },
  { name: 'truncatedM4a', code: 'unreadable', status: 415, says: /Không đọc được tệp/ },
  {
    name: 'truncatedM4aFaststart',
    code: 'unreadable',
    status: 415,
    reason: 'truncated',
    says: /thiếu phần cuối/,
  },
  { name: 'wavHeaderGarbage', code: 'unreadable', status: 415, reason: 'noise', says: /chỉ là nhiễu/ },
  { name: 'videoNoAudio', code: 'no_audio', status: 415, reason: 'video', says: /video này không có tiếng/ },
  { name: 'twelveChannels', code: 'too_many_channels', status: 422, says: /12 kênh.*tối đa 8 kênh/ },
  { name: 'threeHours', code: 'too_long', status: 422, says: /dài 3 giờ, vượt quá giới hạn 90 phút/ },
];

describe('inputs that are refused, with a message a cadre can act on', () => {
  it.each(cases)('$name → $status $code', async ({ name, code, status, reason, says }) => {
    const input = await fixtures.get(name);
    const inspection = await inspectAudio({ input, binaries });
    expect(inspection.ok).toBe(false);
    if (inspection.ok) return;
    expect(inspection.rejection).toMatchObject({ code, status, ...(reason ? { reason } : {}) });
    expect(inspection.rejection.message).toMatch(says);
    expect(inspection.rejection.message).toBe(inspection.rejection.message.normalize('NFC'));
    expect(inspection.rejection.messageEn.length).toBeGreaterThan(20);

    const processing = processAudio({ input, workDir: join(work, name), binaries });
    await expect(processing).rejects.toBeInstanceOf(AudioRejectedError);
    await expect(processing).rejects.toMatchObject({ rejection: { code, status } });
  });

  it('tells a cut-short MP3 from a whole one although ffprobe reports the full duration for both', async () => {
    const cut = await probeFile(binaries, await fixtures.get('truncatedMp3'));
    expect(cut.kind).toBe('audio');
    if (cut.kind === 'audio') expect(cut.probe.durationMs).toBeGreaterThan(15_000);
  });

  it('accepts a browser WebM whose header carries no duration, finding it by reading the packets', async () => {
    const probe = await probeFile(binaries, await fixtures.get('webmStereoLeadingSilence'));
    expect(probe.kind).toBe('audio');
    if (probe.kind === 'audio') expect(Math.abs(probe.probe.durationMs - 22_300)).toBeLessThan(1500);
  });
});
