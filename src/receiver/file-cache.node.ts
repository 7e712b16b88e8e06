import { createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Manifest } from '../domain/receiver/protocol.js';
import type { AgentCache, AudioRef } from './cache.js';
import type { AgentLogger } from './ports.js';
import { readManifest } from './readable-items.js';

export interface FileCacheOptions {
  readonly dir: string;
  /** Upper bound of the audio kept, partial downloads included. */
  readonly maxBytes: number;
  /** GETs an audio URL (relative to the server) with extra headers. */
  readonly download: (url: string, headers: Record<string, string>) => Promise<Response>;
  readonly logger: AgentLogger;
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Flushes a folder's entries (a rename in it) to disk; where a folder cannot be opened, there is nothing to do. */
function syncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a folder (EINVAL); the rename stands, only its flush is the kernel's.
  } finally {
    closeSync(fd);
  }
}

/**
 * The cache on the box's disk: `manifest.json` and `audio/<sha256>.<ext>`. Every file is checked against
 * its SHA-256 before it plays, and a bad one is fetched again; downloads resume with `Range` after a
 * dropped link; the total stays under `maxBytes`.
 */
export function createFileCache(
  options: FileCacheOptions,
): AgentCache & { readonly audioDir: string; pathOf(audio: AudioRef): string } {
  const audioDir = join(options.dir, 'audio');
  mkdirSync(audioDir, { recursive: true });
  const manifestFile = join(options.dir, 'manifest.json');
  const inFlight = new Map<string, ReturnType<typeof fetchInto>>();
  // Bytes promised to downloads in flight, by SHA-256: their files count at their whole size.
  const reserved = new Map<string, number>();
  let referenced = new Set<string>();

  const pathOf = (audio: AudioRef) => join(audioDir, `${audio.sha256}.${audio.format}`);
  const sizeOf = (file: string) => (existsSync(file) ? statSync(file).size : 0);

  function files(): { name: string; size: number; mtimeMs: number }[] {
    return readdirSync(audioDir).map((name) => {
      const s = statSync(join(audioDir, name));
      return { name, size: s.size, mtimeMs: s.mtimeMs };
    });
  }

  /**
   * Reserves room for `audio` (its whole size, what a partial download already holds included) by
   * removing files no manifest item needs, oldest use first; false when it does not fit. Synchronous,
   * check and reservation in one step: downloads running side by side (a prefetch, an item due now)
   * each count the others' whole sizes, not the few bytes they wrote so far.
   */
  function reserve(audio: AudioRef): boolean {
    const others = files().filter((f) => {
      const sha256 = f.name.slice(0, 64);
      return sha256 !== audio.sha256 && !reserved.has(sha256);
    });
    let used = others.reduce((sum, f) => sum + f.size, audio.bytes);
    for (const bytes of reserved.values()) used += bytes;
    const removable = others
      .filter((f) => !referenced.has(f.name.slice(0, 64)))
      .sort((a, b) => a.mtimeMs - b.mtimeMs);
    for (const f of removable) {
      if (used <= options.maxBytes) break;
      rmSync(join(audioDir, f.name), { force: true });
      used -= f.size;
    }
    if (used > options.maxBytes) return false;
    reserved.set(audio.sha256, audio.bytes);
    return true;
  }

  /**
   * Fetches a file into the cache: `stored`; `full` when it does not fit beside what the manifest needs;
   * `unusable` when the server answered without it (404, an error) or with other bytes. A link that
   * fails throws.
   */
  async function fetchInto(audio: AudioRef): Promise<'stored' | 'full' | 'unusable'> {
    const target = pathOf(audio);
    const part = `${target}.part`;
    let offset = sizeOf(part);
    if (offset >= audio.bytes) {
      rmSync(part, { force: true });
      offset = 0;
    }
    if (!reserve(audio)) {
      options.logger.warn('cache full: audio not fetched', {
        sha256: audio.sha256,
        maxBytes: options.maxBytes,
      });
      return 'full';
    }
    try {
      return await fetchReserved(audio, part, offset);
    } finally {
      reserved.delete(audio.sha256);
    }
  }

  async function fetchReserved(
    audio: AudioRef,
    part: string,
    offset: number,
  ): Promise<'stored' | 'unusable'> {
    const res = await options.download(audio.url, offset > 0 ? { range: `bytes=${offset}-` } : {});
    if (res.status === 416) {
      await res.body?.cancel();
      rmSync(part, { force: true });
      return 'unusable';
    }
    if (res.status !== 200 && res.status !== 206) {
      await res.body?.cancel();
      options.logger.warn('audio not available', { sha256: audio.sha256, status: res.status });
      return 'unusable';
    }
    // A 200 to a ranged request is the whole file again: start over.
    const append = res.status === 206 && offset > 0;
    const file = await open(part, append ? 'a' : 'w');
    let size = append ? offset : 0;
    try {
      // Each chunk is written before the next is read, so a dropped link keeps all it delivered.
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        size += chunk.byteLength;
        // The manifest's size is the bound the room was made for: a body that runs on (a proxy's page, a
        // stream behind the URL) would otherwise fill the box's disk before the hash could refuse it.
        if (size > audio.bytes) break;
        await file.write(chunk);
      }
    } finally {
      await file.close();
    }
    if (size > audio.bytes) {
      rmSync(part, { force: true });
      options.logger.warn('downloaded audio is larger than the manifest says; discarded', {
        sha256: audio.sha256,
        bytes: audio.bytes,
      });
      return 'unusable';
    }
    if ((await sha256Of(part)) !== audio.sha256) {
      rmSync(part, { force: true });
      options.logger.warn('downloaded audio does not match its SHA-256; discarded', { sha256: audio.sha256 });
      return 'unusable';
    }
    renameSync(part, pathOf(audio));
    return 'stored';
  }

  /** One download per file at a time, whoever asks. */
  function download(audio: AudioRef): ReturnType<typeof fetchInto> {
    let running = inFlight.get(audio.sha256);
    if (!running) {
      running = fetchInto(audio).finally(() => inFlight.delete(audio.sha256));
      inFlight.set(audio.sha256, running);
    }
    return running;
  }

  return {
    audioDir,
    pathOf,

    loadManifest() {
      if (!existsSync(manifestFile)) return undefined;
      try {
        const saved = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
          manifest: unknown;
          etag: string | null;
        };
        // Kept by a newer agent before a downgrade, it may hold items this one cannot read: the rest plays.
        const { manifest, skipped } = readManifest(saved.manifest);
        if (skipped.length > 0)
          options.logger.warn('cached manifest items this agent cannot read; passed over', {
            count: skipped.length,
          });
        referenced = new Set(manifest.items.flatMap((i) => (i.audio ? [i.audio.sha256] : [])));
        return { manifest, etag: saved.etag };
      } catch (error) {
        options.logger.warn('cached manifest unreadable; waiting for the server', { error: String(error) });
        return undefined;
      }
    },

    saveManifest(manifest: Manifest, etag: string | null) {
      referenced = new Set(manifest.items.flatMap((i) => (i.audio ? [i.audio.sha256] : [])));
      // Write, flush, rename, flush the folder: a power cut leaves the old manifest or the new one, never
      // half of one. Without the flushes a journalling file system may commit the rename before the data
      // (ext4's delayed allocation), and the box restarts with an empty manifest.json.
      const tmp = `${manifestFile}.tmp`;
      const fd = openSync(tmp, 'w');
      try {
        writeSync(fd, JSON.stringify({ manifest, etag }));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, manifestFile);
      syncDir(options.dir);
    },

    async ensure(audio) {
      const file = pathOf(audio);
      if (existsSync(file)) {
        if ((await sha256Of(file)) === audio.sha256) {
          const now = new Date();
          utimesSync(file, now, now);
          return file;
        }
        options.logger.warn('cached audio is corrupt; fetching it again', { sha256: audio.sha256 });
        rmSync(file, { force: true });
      }
      try {
        return (await download(audio)) === 'stored' ? file : null;
      } catch (error) {
        options.logger.warn('audio not available', { sha256: audio.sha256, error: String(error) });
        return null;
      }
    },

    async prefetch(audios) {
      const seen = new Set<string>();
      for (const audio of audios) {
        if (seen.has(audio.sha256)) continue;
        seen.add(audio.sha256);
        if (sizeOf(pathOf(audio)) === audio.bytes) continue;
        // Stop at the first one that does not fit: a later item must not take the place of a nearer one. One
        // the server cannot give is passed over; a link that fails stops the round (it throws).
        if ((await download(audio)) === 'full') return;
      }
    },

    async writeTone(wav) {
      // Beside the audio folder, so that making room for audio never removes it.
      const file = join(options.dir, 'test-tone.wav');
      writeFileSync(file, wav);
      return file;
    },
  };
}
