import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** What a killed process can leave in the media store's `tmp/`, by the names the store gives them. */
const ORPHANS = {
  /** `mkdtemp(join(root, 'tmp', 'job-'))` in `audio-work.node.ts`. */
  workFolder: /^job-[A-Za-z0-9]{6}$/,
  /** `tmp/<uuid>` of `beginUpload`. */
  upload: /^[0-9a-f-]{36}$/,
  /** `tmp/<uuid>.<ext>` of `scratchPath`. */
  scratch: /^[0-9a-f-]{36}\.[a-z0-9]+$/,
} as const;

/** The latest change to a folder or anything in it, ms since the epoch. */
async function lastChangedMs(path: string): Promise<number> {
  const info = await lstat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = info.mtimeMs;
  for (const name of await readdir(path)) {
    latest = Math.max(latest, await lastChangedMs(join(path, name)).catch(() => 0));
  }
  return latest;
}

/**
 * Removes the job work folders, temporary uploads and scratch files in `tmpDir` that nothing
 * changed for `olderThanMs` (a running job writes into its folder; a folder's own time does not
 * change while ffmpeg grows a file in it, so the newest file counts). Other names, and links, are
 * left alone.
 *
 * @example await removeOrphansIn(join(root, 'tmp'), 24 * 3600_000) // { workFolders: 2, files: 1 }
 */
export async function removeOrphansIn(
  tmpDir: string,
  olderThanMs: number,
  nowMs: number = Date.now(),
): Promise<{ readonly workFolders: number; readonly files: number }> {
  if (!(olderThanMs >= 0)) throw new RangeError(`olderThanMs must be 0 or more, not ${olderThanMs}`);
  const before = nowMs - olderThanMs;
  let workFolders = 0;
  let files = 0;
  const entries = await readdir(tmpDir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  for (const entry of entries) {
    const path = join(tmpDir, entry.name);
    if (entry.isDirectory() && ORPHANS.workFolder.test(entry.name)) {
      if ((await lastChangedMs(path)) >= before) continue;
      await rm(path, { recursive: true, force: true });
      workFolders++;
    } else if (entry.isFile() && (ORPHANS.upload.test(entry.name) || ORPHANS.scratch.test(entry.name))) {
      if ((await lstat(path)).mtimeMs >= before) continue;
      await rm(path, { force: true });
      files++;
    }
  }
  return { workFolders, files };
}
