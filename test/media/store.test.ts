import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createFileMediaStore,
  mediaKey,
  RangeNotSatisfiableError,
  type MediaStore,
} from '../../src/media/store.js';

let root: string;
let store: MediaStore;
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'loa-store-'));
  store = createFileMediaStore(root);
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function upload(content: string): Promise<string> {
  const { path, stream } = await store.createTempWriteStream('mp3');
  await new Promise<void>((resolve, reject) => stream.end(content, () => resolve()).on('error', reject));
  return path;
}

describe('file media store', () => {
  it('streams an upload into tmp/ and moves it under its SHA-256', async () => {
    const path = await upload('hello loa');
    expect(path.startsWith(join(root, 'tmp'))).toBe(true);
    const stored = await store.putFile(path, 'mp3');
    const digest = sha('hello loa');
    expect(stored).toEqual({
      sha256: digest,
      bytes: 9,
      key: `${digest.slice(0, 2)}/${digest.slice(2, 4)}/${digest}.mp3`,
    });
    expect(await readFile(join(root, stored.key), 'utf8')).toBe('hello loa');
    await expect(stat(path)).rejects.toThrow();
    expect(await store.has(digest, 'mp3')).toBe(true);
    expect(await store.has(digest, 'opus')).toBe(false);
  });

  it('stores the same content once and deletes the second temp file', async () => {
    const first = await store.putFile(await upload('same'), 'mp3');
    const secondPath = await upload('same');
    const second = await store.putFile(secondPath, 'mp3');
    expect(second).toEqual(first);
    await expect(stat(secondPath)).rejects.toThrow();
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });

  it('opens a file whole or as an inclusive byte range, and refuses a range past its end', async () => {
    const { sha256 } = await store.putFile(await upload('0123456789'), 'mp3');
    const whole = await store.open(sha256, 'mp3');
    expect(whole).toMatchObject({ size: 10, start: 0, end: 9 });
    expect(await text(whole!.stream)).toBe('0123456789');
    const part = await store.open(sha256, 'mp3', { start: 2, end: 5 });
    expect(part).toMatchObject({ size: 10, start: 2, end: 5 });
    expect(await text(part!.stream)).toBe('2345');
    const open = await store.open(sha256, 'mp3', { start: 7 });
    expect(await text(open!.stream)).toBe('789');
    await expect(store.open(sha256, 'mp3', { start: 10 })).rejects.toBeInstanceOf(RangeNotSatisfiableError);
    await expect(store.open(sha256, 'mp3', { start: 5, end: 2 })).rejects.toBeInstanceOf(
      RangeNotSatisfiableError,
    );
    expect(await store.open(sha('missing'), 'mp3')).toBeUndefined();
  });

  it('builds paths only from a hex SHA-256 and an allowed extension', async () => {
    expect(() => mediaKey('../../etc/passwd', 'mp3')).toThrow(/sha256/);
    expect(() => mediaKey(sha('x').toUpperCase(), 'mp3')).toThrow(/sha256/);
    expect(() => mediaKey(sha('x'), 'sh')).toThrow(/extension/);
    expect(await store.open('../../../etc/passwd', 'mp3')).toBeUndefined();
    expect(await store.has('..', 'mp3')).toBe(false);
    await expect(store.createTempPath('exe' as 'mp3')).rejects.toThrow(/extension/);
  });

  it('moves and removes only its own temp files', async () => {
    const outside = join(root, 'outside.mp3');
    await writeFile(outside, 'x');
    await expect(store.putFile(outside, 'mp3')).rejects.toThrow(/temp path/);
    await expect(store.putFile(join(root, 'tmp', '..', 'outside.mp3'), 'mp3')).rejects.toThrow(/temp path/);
    await expect(store.removeTemp(join(root, 'tmp'))).rejects.toThrow(/temp path/);
    await expect(store.removeTemp('/etc/hostname')).rejects.toThrow(/temp path/);
    const temp = await store.createTempPath('wav');
    await writeFile(temp, 'x');
    await store.removeTemp(temp);
    await expect(stat(temp)).rejects.toThrow();
    await store.removeTemp(temp);
    const dir = await store.createTempDir();
    await writeFile(join(dir, 'audio.mp3'), 'encoded');
    const stored = await store.putFile(join(dir, 'audio.mp3'), 'mp3');
    expect(stored.sha256).toBe(sha('encoded'));
    await store.removeTemp(dir);
    await expect(stat(dir)).rejects.toThrow();
  });
});
