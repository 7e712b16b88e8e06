import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { watch } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileMediaStore } from '../../src/media/file-store.node.js';
import { mp3WithLyingHeader } from './crafted-fixtures.js';

const HOUR = 3600_000;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loa-media-store-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Sets the modification time of a file or folder `ms` into the past. */
async function age(path: string, ms: number): Promise<void> {
  const then = new Date(Date.now() - ms);
  await utimes(path, then, then);
}

describe('freeBytes', () => {
  it('tells the space left on the disk of the store, or null when it has no folder yet', async () => {
    const free = await createFileMediaStore(dir).freeBytes();
    expect(free).toBeGreaterThan(0);
    expect(Number.isInteger(free)).toBe(true);
    expect(await createFileMediaStore(join(dir, 'not-yet')).freeBytes()).toBeNull();
  });
});

describe('removeOrphans', () => {
  it('removes job folders, uploads and scratch files untouched for longer than the bound, and nothing else', async () => {
    const root = join(dir, 'aged');
    const media = createFileMediaStore(root);
    const tmp = join(root, 'tmp');

    const abandoned = await media.beginUpload();
    await abandoned.write(new Uint8Array(1000));
    await abandoned.finish();
    await age(media.pathOf(abandoned.key), 2 * HOUR);
    const arriving = await media.beginUpload();
    await arriving.write(new Uint8Array(1000));
    await arriving.finish();

    const scratch = await media.scratchPath('wav');
    await writeFile(scratch, 'x');
    await age(scratch, 2 * HOUR);

    const emptyJob = await mkdtemp(join(tmp, 'job-'));
    await age(emptyJob, 2 * HOUR);
    const oldJob = await mkdtemp(join(tmp, 'job-'));
    await writeFile(join(oldJob, 'levelled.f32'), new Uint8Array(4096));
    await age(join(oldJob, 'levelled.f32'), 3 * HOUR);
    await age(oldJob, 3 * HOUR);
    // ffmpeg still growing a file in an old folder: the folder's own time does not change.
    const runningJob = await mkdtemp(join(tmp, 'job-'));
    await writeFile(join(runningJob, 'levelled.f32'), new Uint8Array(4096));
    await age(runningJob, 3 * HOUR);

    const accepted = await media.beginUpload();
    await accepted.finish();
    const kept = await media.keepUpload(accepted.key);
    await age(media.pathOf(kept), 5 * HOUR);
    await writeFile(join(tmp, 'notes.txt'), 'not made by the store');
    await age(join(tmp, 'notes.txt'), 5 * HOUR);

    expect(await media.removeOrphans(HOUR)).toEqual({ workFolders: 2, files: 2 });
    expect((await readdir(tmp)).sort()).toEqual(
      [arriving.key.slice('tmp/'.length), runningJob.slice(tmp.length + 1), 'notes.txt'].sort(),
    );
    expect(await readdir(join(root, 'src'))).toEqual([kept.slice('src/'.length)]);
    expect(await media.removeOrphans(HOUR)).toEqual({ workFolders: 0, files: 0 });
    await expect(media.removeOrphans(-1)).rejects.toThrow(RangeError);
    expect(await createFileMediaStore(join(dir, 'never-used')).removeOrphans(HOUR)).toEqual({
      workFolders: 0,
      files: 0,
    });
  });

  it("removes at start-up its owner's leftovers at any age, and another owner's only past the bound", async () => {
    const root = join(dir, 'owned');
    const mine = createFileMediaStore(root, { owner: 'box-1:/srv/loa/data' });
    const theirs = createFileMediaStore(root, { owner: 'box-2:/srv/loa/data' });
    const tmp = join(root, 'tmp');
    // What each left a moment ago: an upload arriving, a scratch file, a job's work folder.
    const leave = async (store: typeof mine) => {
      const upload = await store.beginUpload();
      await upload.write(new Uint8Array(100));
      await upload.finish();
      await writeFile(await store.scratchPath('wav'), 'x');
      await writeFile(join(await store.makeWorkFolder(), 'levelled.f32'), new Uint8Array(64));
      return upload.key;
    };
    await leave(mine);
    const myNames = await readdir(tmp);
    const theirUpload = await leave(theirs);
    const theirNames = (await readdir(tmp)).filter((n) => !myNames.includes(n));
    expect(myNames).toHaveLength(3);
    expect(theirNames).toHaveLength(3);
    expect(theirNames).toContain(theirUpload.slice('tmp/'.length));
    // The owner never appears in a name, only a short tag of it.
    expect([...myNames, ...theirNames].join(' ')).not.toMatch(/box|srv/);

    // Later in a process's life, its own fresh work is spared like anyone's.
    expect(await mine.removeOrphans(HOUR)).toEqual({ workFolders: 0, files: 0 });
    expect(await mine.removeOrphans(HOUR, { includeOwn: true })).toEqual({ workFolders: 1, files: 2 });
    expect((await readdir(tmp)).sort()).toEqual(theirNames.sort());

    // An owned store's uploads are kept as plain originals.
    const accepted = await theirs.beginUpload();
    await accepted.finish();
    expect(await theirs.keepUpload(accepted.key)).toBe(`src/${accepted.key.slice(-36)}`);
  });

  it('lists the kept originals stored before a bound, by age of the upload', async () => {
    const root = join(dir, 'originals');
    const media = createFileMediaStore(root);
    const keep = async (ageMs: number) => {
      const upload = await media.beginUpload();
      await upload.write(new Uint8Array(10));
      await upload.finish();
      await age(media.pathOf(upload.key), ageMs);
      return media.keepUpload(upload.key);
    };
    const old = await keep(2 * HOUR);
    const older = await keep(3 * HOUR);
    await keep(0);
    const listed: string[] = [];
    for await (const batch of media.keptOriginals(HOUR)) listed.push(...batch);
    expect(listed.sort()).toEqual([old, older].sort());
    const none: string[] = [];
    for await (const batch of createFileMediaStore(join(dir, 'no-originals')).keptOriginals(0))
      none.push(...batch);
    expect(none).toEqual([]);
  });

  it('clears what a process killed with -9 in the middle of an upload and a job left behind', async () => {
    const root = join(dir, 'killed');
    const media = createFileMediaStore(root);
    const tmp = join(root, 'tmp');
    await mkdir(tmp, { recursive: true });
    await mkdir(join(root, 'src'));
    const key = `src/${randomUUID()}`;
    // Five minutes of audio: the job is still running when it is killed.
    await copyFile(await mp3WithLyingHeader(dir, { claimS: 300, realS: 300 }), media.pathOf(key));

    const script = fileURLToPath(new URL('../support/killed-audio-job.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, root, key], {
      detached: true,
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_, s) => resolve(s)));
    await new Promise<void>((resolve, reject) => {
      const watcher = watch(tmp, (_, name) => {
        if (!name?.startsWith('job-')) return;
        watcher.close();
        resolve();
      });
      child.once('exit', () => reject(new Error('the job ended before it was killed')));
    });
    // The whole process group, as a service manager does: node and its ffmpeg.
    process.kill(-(child.pid ?? 0), 'SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const left = await readdir(tmp);
    expect(left.filter((name) => name.startsWith('job-'))).toHaveLength(1);
    expect(left.filter((name) => /^[0-9a-f-]{36}$/.test(name))).toHaveLength(1);
    // A bound longer than their age spares them, as it would a running process's work.
    expect(await media.removeOrphans(HOUR)).toEqual({ workFolders: 0, files: 0 });
    expect(await media.removeOrphans(0)).toEqual({ workFolders: 1, files: 1 });
    expect(await readdir(tmp)).toEqual([]);
    expect(await readdir(join(root, 'src'))).toEqual([key.slice('src/'.length)]);
  });
});
