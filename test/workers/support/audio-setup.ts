import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { resolveFfmpeg } from '../../../src/media/ffmpeg-binaries.js';
import { processAudio } from '../../../src/media/pipeline.js';
import { ffmpegFixture, speechWav } from '../../support/audio-fixtures.js';

/** Audio the edge tests send, made on Node with the real pipeline and ffmpeg (workerd runs neither). */
export interface EdgeAudioFixtures {
  /** What the pipeline makes of Vietnamese speech: an MP3 on the targets, as the browser sends it. */
  readonly processedMp3: string;
  /** The same 6 dB too quiet. */
  readonly quietMp3: string;
  /** The same as stereo MP3. */
  readonly stereoMp3: string;
  /** Unprocessed speech as WAV. */
  readonly speechWav: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    edgeAudio: EdgeAudioFixtures;
  }
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const work = await mkdtemp(join(tmpdir(), 'loa-edge-audio-'));
  const wav = join(work, 'speech.wav');
  writeFileSync(wav, speechWav());
  const result = await processAudio({
    input: wav,
    workDir: join(work, 'job'),
    binaries: await resolveFfmpeg(process.env),
  });
  const mp3 = result.outputs.find((o) => o.format === 'mp3')!.path;
  project.provide('edgeAudio', {
    processedMp3: b64(readFileSync(mp3)),
    quietMp3: b64(ffmpegFixture('edge-quiet.mp3', ['-i', mp3, '-af', 'volume=-6dB', '-b:a', '64k'])),
    stereoMp3: b64(ffmpegFixture('edge-stereo.mp3', ['-i', mp3, '-ac', '2', '-b:a', '128k'])),
    speechWav: b64(readFileSync(wav)),
  });
  return () => rm(work, { recursive: true, force: true });
}
