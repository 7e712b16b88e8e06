import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  asStorageFull,
  isNoSpace,
  saysNoSpace,
  StorageFullError,
  writing,
} from '../../src/media/storage-full.js';

const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: test`), { code });

describe('StorageFullError', () => {
  it('is retryable, says where it happened, and has words for the cadre', () => {
    const error = new StorageFullError('storing an encoded file', { cause: errno('ENOSPC') });
    expect(error).toMatchObject({
      name: 'StorageFullError',
      retryable: true,
      doing: 'storing an encoded file',
    });
    expect(error.message).toBe('No space left on the media disk while storing an encoded file');
    expect(error.messageVi).toMatch(/^Ổ đĩa lưu âm thanh của máy chủ đã đầy\./);
  });

  it('is what a write with no room becomes, a full disk or a used-up quota, and nothing else', () => {
    expect(isNoSpace(errno('ENOSPC'))).toBe(true);
    expect(isNoSpace(errno('EDQUOT'))).toBe(true);
    expect(isNoSpace(errno('EACCES'))).toBe(false);
    expect(isNoSpace(null)).toBe(false);
    const full = asStorageFull(errno('ENOSPC'), 'writing an upload');
    expect(full).toBeInstanceOf(StorageFullError);
    expect(asStorageFull(full, 'again')).toBe(full);
    const denied = errno('EACCES');
    expect(asStorageFull(denied, 'writing an upload')).toBe(denied);
  });

  it('is recognised in what ffmpeg prints', () => {
    expect(saysNoSpace('Error closing file out.f32: No space left on device')).toBe(true);
    expect(saysNoSpace('av_interleaved_write_frame(): Disk quota exceeded')).toBe(true);
    expect(saysNoSpace('Invalid data found when processing input')).toBe(false);
  });

  it('wraps a write, passing its result and any other failure through', async () => {
    expect(await writing('nothing', async () => 42)).toBe(42);
    await expect(
      writing('making a folder', async () => {
        throw errno('ENOSPC');
      }),
    ).rejects.toBeInstanceOf(StorageFullError);
    const dir = await mkdtemp(join(tmpdir(), 'loa-write-'));
    await expect(writing('making a folder', () => mkdir(dir))).rejects.toMatchObject({ code: 'EEXIST' });
    await rm(dir, { recursive: true });
  });
});
