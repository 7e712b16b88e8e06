import { createHash } from 'node:crypto';
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What a killed process can leave in the media store's `tmp/`, by the names the store gives them; an
 * owned store puts its owner's tag (group 1) in front, `<tag>_`.
 */
const ORPHANS = {
  /** `makeWorkFolder` in `file-store.node.ts`: `mkdtemp('job-')` or `mkdtemp('job-<tag>_')`. */
  workFolder: /^job-(?:([0-9a-f]{8})_)?[A-Za-z0-9]{6}$/,
  /** `tmp/<uuid>` of `beginUpload`. */
  upload: /^(?:([0-9a-f]{8})_)?[0-9a-f-]{36}$/,
  /** `tmp/<uuid>.<ext>` of `scratchPath`. */
  scratch: /^(?:([0-9a-f]{8})_)?[0-9a-f-]{36}\.[a-z0-9]+$/,
} as const;

/**
 * The tag an owner's files carry in `tmp/`: 8 hex digits of its SHA-256, so that a worker id made
 * of a host name and a path never appears in a file name.
 *
 * @example ownerTag('box-1:/srv/loa/data') // '15894a36'
 */
export function ownerTag(owner: string): string {
  return createHash('sha256').update(owner).digest('hex').slice(0, 8);
}

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

export interface RemoveOrphansOptions {
  /** Leftovers carrying this tag are removed whatever their age (their owner is known to be gone). */
  readonly ownTag?: string;
  readonly nowMs?: number;
}

/**
 * Removes the job work folders, temporary uploads and scratch files in `tmpDir` that nothing
 * changed for `olderThanMs` (a running job writes into its folder; a folder's own time does not
 * change while ffmpeg grows a file in it, so the newest file counts), and those tagged `ownTag`
 * at any age. Other names, and links, are left alone.
 *
 * @example await removeOrphansIn(join(root, 'tmp'), 24 * 3600_000) // { workFolders: 2, files: 1 }
 */
export async function removeOrphansIn(
  tmpDir: string,
  olderThanMs: number,
  { ownTag, nowMs = Date.now() }: RemoveOrphansOptions = {},
): Promise<{ readonly workFolders: number; readonly files: number }> {
  if (!(olderThanMs >= 0)) throw new RangeError(`olderThanMs must be 0 or more, not ${olderThanMs}`);
  const before = nowMs - olderThanMs;
  const stale = (tag: string | undefined, changedMs: () => Promise<number>) =>
    tag !== undefined && tag === ownTag ? Promise.resolve(true) : changedMs().then((ms) => ms < before);
  let workFolders = 0;
  let files = 0;
  const entries = await readdir(tmpDir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  for (const entry of entries) {
    const path = join(tmpDir, entry.name);
    const folder = entry.isDirectory() ? ORPHANS.workFolder.exec(entry.name) : null;
    const file = entry.isFile()
      ? (ORPHANS.upload.exec(entry.name) ?? ORPHANS.scratch.exec(entry.name))
      : null;
    if (folder) {
      if (!(await stale(folder[1], () => lastChangedMs(path)))) continue;
      await rm(path, { recursive: true, force: true });
      workFolders++;
    } else if (file) {
      if (!(await stale(file[1], async () => (await lstat(path)).mtimeMs))) continue;
      await rm(path, { force: true });
      files++;
    }
  }
  return { workFolders, files };
}
