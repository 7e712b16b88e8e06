import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodingFor,
  ffmpegDecoders,
  ffmpegVersion,
  parseDecoders,
  resolveFfmpeg,
} from '../../src/media/ffmpeg-binaries.js';

let dir: string;

async function fakeTool(folder: string, name: string): Promise<string> {
  await mkdir(folder, { recursive: true });
  const path = join(folder, name);
  await writeFile(path, `#!/bin/sh\necho "${name} version 9.9-test Copyright"\n`);
  await chmod(path, 0o755);
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loa-bin-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('resolveFfmpeg', () => {
  it('takes FFMPEG_PATH with ffprobe beside it', async () => {
    const ffmpeg = await fakeTool(join(dir, 'a'), 'ffmpeg');
    const ffprobe = await fakeTool(join(dir, 'a'), 'ffprobe');
    expect(await resolveFfmpeg({ FFMPEG_PATH: ffmpeg })).toEqual({ ffmpeg, ffprobe, source: 'env' });
  });

  it('takes FFPROBE_PATH when ffprobe lives elsewhere, and says what is missing', async () => {
    const ffmpeg = await fakeTool(join(dir, 'b'), 'ffmpeg');
    await expect(resolveFfmpeg({ FFMPEG_PATH: ffmpeg })).rejects.toThrow(/FFPROBE_PATH/);
    const ffprobe = await fakeTool(join(dir, 'c'), 'ffprobe');
    expect(await resolveFfmpeg({ FFMPEG_PATH: ffmpeg, FFPROBE_PATH: ffprobe })).toMatchObject({
      ffprobe,
      source: 'env',
    });
    await expect(resolveFfmpeg({ FFMPEG_PATH: join(dir, 'nope') })).rejects.toThrow(/not an executable/);
  });

  it('finds both on PATH', async () => {
    const folder = join(dir, 'path');
    const ffmpeg = await fakeTool(folder, 'ffmpeg');
    const ffprobe = await fakeTool(folder, 'ffprobe');
    expect(await resolveFfmpeg({ PATH: `${join(dir, 'empty')}:${folder}` })).toEqual({
      ffmpeg,
      ffprobe,
      source: 'path',
    });
  });

  it('falls back to the binaries shipped in npm packages, which run', async () => {
    const found = await resolveFfmpeg({ PATH: join(dir, 'empty') });
    expect(found.source).toBe('npm');
    expect(found.ffmpeg).toContain('@ffmpeg-installer');
    expect(found.ffprobe).toContain('@ffprobe-installer');
    expect(await ffmpegVersion(found.ffmpeg)).toMatch(/\d/);
    expect(await ffmpegVersion(found.ffprobe)).toMatch(/\d/);
  });
});

describe('ffmpegVersion', () => {
  it('reads the version from the first line', async () => {
    expect(await ffmpegVersion(await fakeTool(join(dir, 'v'), 'ffmpeg'))).toBe('9.9-test');
    await expect(ffmpegVersion(join(dir, 'missing'))).rejects.toThrow();
  });
});

/** What `ffmpeg -decoders` prints, cut down: ffmpeg 5.1 of Debian, then the ffmpeg 4.1 of npm. */
const DEBIAN_DECODERS = `Decoders:
 V..... = Video
 A..... = Audio
 S..... = Subtitle
 .F.... = Frame-level multithreading
 ..S... = Slice-level multithreading
 ...X.. = Codec is experimental
 ....B. = Supports draw_horiz_band
 .....D = Supports direct rendering method 1
 ------
 V....D h264                 H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10
 A....D amrnb                AMR-NB (Adaptive Multi-Rate NarrowBand) (codec amr_nb)
 A....D amrwb                AMR-WB (Adaptive Multi-Rate WideBand) (codec amr_wb)
 AF...D flac                 FLAC (Free Lossless Audio Codec)
`;
const NPM_DECODERS = `${DEBIAN_DECODERS} A....D libopencore_amrnb    OpenCORE AMR-NB (Adaptive Multi-Rate Narrow-Band) (codec amr_nb)
`;

describe('parseDecoders', () => {
  it('lists the decoder names below the legend, not the legend itself', () => {
    expect([...parseDecoders(DEBIAN_DECODERS)]).toEqual(['h264', 'amrnb', 'amrwb', 'flac']);
    expect(parseDecoders(NPM_DECODERS).has('libopencore_amrnb')).toBe(true);
    expect(parseDecoders('').size).toBe(0);
  });
});

describe('ffmpegDecoders and decodingFor', () => {
  it('asks a binary once, and forces libopencore_amrnb on AMR-NB only where it is', async () => {
    const folder = join(dir, 'decoders');
    await mkdir(folder, { recursive: true });
    const asked = join(folder, 'asked.log');
    const listing = join(folder, 'listing.txt');
    await writeFile(listing, NPM_DECODERS);
    const ffmpeg = join(folder, 'ffmpeg');
    await writeFile(ffmpeg, `#!/bin/sh\necho "$*" >> "${asked}"\ncat "${listing}"\n`);
    await chmod(ffmpeg, 0o755);

    expect((await ffmpegDecoders(ffmpeg)).has('libopencore_amrnb')).toBe(true);
    const binaries = { ffmpeg, ffprobe: ffmpeg, source: 'env' } as const;
    expect(await decodingFor(binaries, 'amr_nb')).toEqual({ decoder: 'libopencore_amrnb' });
    expect(await decodingFor(binaries, 'aac')).toEqual({});
    expect(await readFile(asked, 'utf8')).toBe('-hide_banner -decoders\n');
  });

  it('takes a binary that cannot list its decoders as having only its own', async () => {
    const ffmpeg = await fakeTool(join(dir, 'no-list'), 'ffmpeg');
    const binaries = { ffmpeg, ffprobe: ffmpeg, source: 'env' } as const;
    expect(await decodingFor(binaries, 'amr_nb')).toEqual({ dropsSilenceFrames: true });
  });
});
