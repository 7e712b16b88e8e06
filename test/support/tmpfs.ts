/**
 * Small tmpfs disks for tests that need a disk to fill up for real (root only). Tests skip with one
 * line when the mount is refused.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, rm, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Mounts a tmpfs at `dir` with `options` (e.g. `size=2m`); resolves to why not, or undefined when mounted. */
export async function mountTmpfs(dir: string, options: string): Promise<string | undefined> {
  await mkdir(dir, { recursive: true });
  try {
    await run('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
    return undefined;
  } catch (error) {
    return (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
  }
}

/** Unmounts what `mountTmpfs` mounted; an unmounted folder is fine. */
export async function unmountTmpfs(dir: string): Promise<void> {
  await run('umount', [dir]).catch(() => undefined);
}

/** Removes everything on the disk at `dir`. */
export async function emptyDisk(dir: string): Promise<void> {
  for (const name of await readdir(dir)) await rm(join(dir, name), { recursive: true, force: true });
}

/**
 * Fills the disk at `dir` with the file `name` until only about `leaveBytes` are free (tmpfs counts in
 * pages, so within 4 KiB). Returns the file, to remove when space is to be freed again.
 */
export async function fillDisk(dir: string, leaveBytes: number, name = 'filler'): Promise<string> {
  const disk = await statfs(dir);
  const free = disk.bavail * disk.bsize;
  const file = join(dir, name);
  await writeFile(file, new Uint8Array(Math.max(0, free - leaveBytes)));
  return file;
}
