import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegDecoders, resolveFfmpeg, type FfmpegBinaries } from '../../src/media/ffmpeg-binaries.js';
import { inspectAudio } from '../../src/media/inspect.js';
import { processAudio } from '../../src/media/pipeline.js';
import { amrWithPauses, type AmrRecording } from './crafted-fixtures.js';
import { loudgain } from './loudgain.js';
import { hasTool } from '../support/tools.js';

let dir: string;
let recording: AmrRecording;
const ffmpegs = new Map<'system' | 'npm', FfmpegBinaries>();

// The DTX recording is made with sox's AMR-NB encoder, and its output is measured by loudgain.
const tools = hasTool('sox') && hasTool('loudgain');

beforeAll(async () => {
  if (!tools) return;
  dir = await mkdtemp(join(tmpdir(), 'loa-media-amr-'));
  recording = await amrWithPauses(dir);
  ffmpegs.set('system', await resolveFfmpeg(process.env));
  ffmpegs.set('npm', await resolveFfmpeg({ PATH: join(dir, 'no-such-folder') }));
});
afterAll(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

describe.skipIf(!tools)('an AMR-NB phone recording with discontinuous transmission (long pauses)', () => {
  it('is made of speech, silence-descriptor and empty frames', () => {
    expect(recording.sidFrames).toBeGreaterThan(10);
    expect(recording.noDataFrames).toBeGreaterThan(300);
    expect(recording.speechFrames).toBeGreaterThan(1000);
  });

  it('is decoded by the built-in decoder of the system ffmpeg and by libopencore in the npm one', async () => {
    expect((await ffmpegDecoders(ffmpegs.get('system')?.ffmpeg ?? '')).has('libopencore_amrnb')).toBe(false);
    expect((await ffmpegDecoders(ffmpegs.get('npm')?.ffmpeg ?? '')).has('libopencore_amrnb')).toBe(true);
  });

  it.each([
    { which: 'system', container: 'amr' },
    { which: 'npm', container: 'amr' },
    { which: 'system', container: '3gp' },
    { which: 'npm', container: '3gp' },
  ] as const)(
    'in $container, with the $which ffmpeg: accepted, and processed to its length with the pauses kept',
    async ({ which, container }) => {
      const binaries = ffmpegs.get(which);
      if (!binaries) throw new Error(`no ${which} ffmpeg`);
      const input = container === 'amr' ? recording.path : recording.in3gp;
      const inspection = await inspectAudio({ input, binaries });
      expect(inspection).toMatchObject({ ok: true, probe: { codec: 'amr_nb', sampleRate: 8000 } });
      if (inspection.ok)
        expect(Math.abs(inspection.probe.durationMs - recording.durationMs)).toBeLessThan(100);

      const workDir = join(dir, `${which}-${container}`);
      const result = await processAudio({ input, workDir, binaries });
      expect(Math.abs(result.source.durationMs - recording.durationMs)).toBeLessThan(500);
      // Leading and trailing silence trimmed to 0.25 s each; the 10 s pause inside stays.
      const spokenMs = (recording.speechEndS - recording.speechStartS) * 1000;
      expect(Math.abs(result.durationMs - (spokenMs + 500))).toBeLessThan(1500);
      const measured = await loudgain(result.outputs[0]?.path ?? '');
      expect(Math.abs(measured.integratedLufs - -16)).toBeLessThanOrEqual(0.5);
      expect(measured.truePeakDbtp).toBeLessThanOrEqual(-1.5);
    },
  );
});
