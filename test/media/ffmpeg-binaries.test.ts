import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegVersion, resolveFfmpeg } from '../../src/media/ffmpeg-binaries.js';

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
