import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/domain/receiver/protocol.js';
import type { AudioRef } from '../../src/receiver/cache.js';
import { createFileCache } from '../../src/receiver/file-cache.node.js';

function asset(size: number, seed: number): { bytes: Buffer; ref: AudioRef } {
  const bytes = Buffer.alloc(size, seed);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { bytes, ref: { url: `/media/${sha256}.mp3`, sha256, bytes: size, format: 'mp3' } };
}

/**
 * A media server in a function: honours Range, and can drop the link after some bytes; its answers wait
 * for `answerWhen` (a slow link) when given.
 */
function server(files: Map<string, Buffer>, answerWhen?: Promise<void>) {
  const requests: { url: string; range: string | undefined }[] = [];
  let dropAfter: number | undefined;
  const download = async (url: string, headers: Record<string, string>) => {
    requests.push({ url, range: headers.range });
    await answerWhen;
    const body = files.get(url);
    if (!body) return new Response(null, { status: 404 });
    const start = Number(headers.range?.match(/^bytes=(\d+)-$/)?.[1] ?? 0);
    const part = body.subarray(start);
    const cut = dropAfter;
    dropAfter = undefined;
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (pulls++ === 0) c.enqueue(new Uint8Array(cut === undefined ? part : part.subarray(0, cut)));
        else if (cut === undefined) c.close();
        else c.error(new Error('connection reset'));
      },
    });
    return new Response(stream, { status: start > 0 ? 206 : 200 });
  };
  return { download, requests, dropNextAfter: (n: number) => void (dropAfter = n) };
}

const manifestOf = (refs: readonly AudioRef[]): Manifest => ({
  receiverId: 'r',
  hamletId: 'h',
  version: 1,
  serverTime: '2026-11-27T01:00:00.000Z',
  from: '2026-11-27T00:00:00.000Z',
  to: '2026-11-29T02:00:00.000Z',
  items: refs.map((audio, i) => ({
    occurrenceId: `o${i}`,
    part: 0,
    at: '2026-11-27T02:00:00.000Z',
    durationMs: 1000,
    priority: 'normal',
    kind: 'audio',
    title: 't',
    language: 'vi',
    audio,
    relay: null,
  })),
});

const logger = { info: () => {}, warn: () => {} };

describe('file cache', () => {
  it('resumes an interrupted download with Range and checks the result', async () => {
    const a = asset(100_000, 1);
    const media = server(new Map([[a.ref.url, a.bytes]]));
    const cache = createFileCache({
      dir: mkdtempSync(join(tmpdir(), 'loa-cache-')),
      maxBytes: 1e6,
      download: media.download,
      logger,
    });
    media.dropNextAfter(30_000);
    expect(await cache.ensure(a.ref)).toBeNull();
    const file = await cache.ensure(a.ref);
    expect(file).not.toBeNull();
    expect(media.requests.map((r) => r.range)).toEqual([undefined, 'bytes=30000-']);
    expect(readFileSync(file!).equals(a.bytes)).toBe(true);
  });

  it('throws away a download or a cached file that does not match its SHA-256', async () => {
    const a = asset(1000, 2);
    const media = server(new Map([[a.ref.url, Buffer.alloc(1000, 9)]]));
    const cache = createFileCache({
      dir: mkdtempSync(join(tmpdir(), 'loa-cache-')),
      maxBytes: 1e6,
      download: media.download,
      logger,
    });
    expect(await cache.ensure(a.ref)).toBeNull();
    expect(existsSync(`${cache.pathOf(a.ref)}.part`)).toBe(false);

    const good = server(new Map([[a.ref.url, a.bytes]]));
    const dir = mkdtempSync(join(tmpdir(), 'loa-cache-'));
    const cache2 = createFileCache({ dir, maxBytes: 1e6, download: good.download, logger });
    const file = (await cache2.ensure(a.ref))!;
    writeFileSync(file, Buffer.alloc(1000, 7));
    expect(await cache2.ensure(a.ref)).toBe(file);
    expect(readFileSync(file).equals(a.bytes)).toBe(true);
    expect(good.requests).toHaveLength(2);
  });

  it('stays under its size bound: evicts files no manifest lists, never the ones it needs', async () => {
    const [a, b, c] = [asset(40_000, 3), asset(40_000, 4), asset(40_000, 5)];
    const media = server(new Map([a, b, c].map((x) => [x.ref.url, x.bytes])));
    const dir = mkdtempSync(join(tmpdir(), 'loa-cache-'));
    const cache = createFileCache({ dir, maxBytes: 100_000, download: media.download, logger });
    cache.saveManifest(manifestOf([a.ref, b.ref]), '"e1"');
    await cache.prefetch([a.ref, b.ref]);
    // c does not fit beside a and b, which the manifest needs: it is not fetched, nearer items keep their place.
    await cache.prefetch([a.ref, b.ref, c.ref]);
    expect(existsSync(cache.pathOf(c.ref))).toBe(false);
    // Once the manifest moves on, a is evicted for c.
    cache.saveManifest(manifestOf([b.ref, c.ref]), '"e2"');
    await cache.prefetch([b.ref, c.ref]);
    expect([a, b, c].map((x) => existsSync(cache.pathOf(x.ref)))).toEqual([false, true, true]);
  });

  it('reserves the room of a download in flight: one fetched at play time beside a prefetch cannot pass the bound', async () => {
    const [a, b] = [asset(40_000, 10), asset(40_000, 11)];
    let answer = () => {};
    const media = server(
      new Map([a, b].map((x) => [x.ref.url, x.bytes])),
      new Promise<void>((resolve) => (answer = resolve)),
    );
    const dir = mkdtempSync(join(tmpdir(), 'loa-cache-'));
    const cache = createFileCache({ dir, maxBytes: 60_000, download: media.download, logger });
    cache.saveManifest(manifestOf([a.ref, b.ref]), '"e1"');
    // Both asked before either byte arrives: a prefetch on a slow link, and an item that is due now.
    const prefetched = cache.prefetch([a.ref]);
    const played = cache.ensure(b.ref);
    answer();
    await prefetched;
    expect(await played).toBeNull();
    expect(media.requests.map((r) => r.url)).toEqual([a.ref.url]);
    const used = readdirSync(cache.audioDir).reduce(
      (sum, f) => sum + statSync(join(cache.audioDir, f)).size,
      0,
    );
    expect(used).toBe(40_000);
  });

  it('passes over a file the server cannot give and fetches the ones after it; a dead link stops the round', async () => {
    const [gone, corrupt, next] = [asset(1000, 6), asset(1000, 7), asset(1000, 8)];
    const media = server(
      new Map([
        [corrupt.ref.url, Buffer.alloc(1000, 0)],
        [next.ref.url, next.bytes],
      ]),
    );
    const cache = createFileCache({
      dir: mkdtempSync(join(tmpdir(), 'loa-cache-')),
      maxBytes: 1e6,
      download: media.download,
      logger,
    });
    await cache.prefetch([gone.ref, corrupt.ref, next.ref]);
    expect([gone, corrupt, next].map((x) => existsSync(cache.pathOf(x.ref)))).toEqual([false, false, true]);

    const asked: string[] = [];
    const offline = createFileCache({
      dir: mkdtempSync(join(tmpdir(), 'loa-cache-')),
      maxBytes: 1e6,
      download: async (url) => {
        asked.push(url);
        throw new TypeError('fetch failed');
      },
      logger,
    });
    await expect(offline.prefetch([gone.ref, next.ref])).rejects.toThrow('fetch failed');
    expect(asked).toEqual([gone.ref.url]);
  });

  it('stops reading a download at the size the manifest gave: a server sending more cannot fill the disk', async () => {
    const a = asset(1000, 9);
    const dir = mkdtempSync(join(tmpdir(), 'loa-cache-'));
    let sent = 0;
    // A body that never ends (a misconfigured proxy, a stream URL in place of a file).
    const endless = () =>
      new ReadableStream<Uint8Array>({
        pull(c) {
          sent += 4096;
          c.enqueue(new Uint8Array(4096));
          if (sent > 50 * 1024 * 1024) c.close();
        },
      });
    const cache = createFileCache({
      dir,
      maxBytes: 1e6,
      download: async () => new Response(endless(), { status: 200 }),
      logger,
    });
    expect(await cache.ensure(a.ref)).toBeNull();
    expect(sent).toBeLessThan(64 * 1024);
    expect(existsSync(`${cache.pathOf(a.ref)}.part`)).toBe(false);

    // The same after a resumed download: what was there and what comes must not pass the size.
    writeFileSync(`${cache.pathOf(a.ref)}.part`, a.bytes.subarray(0, 500));
    sent = 0;
    const resumed = createFileCache({
      dir,
      maxBytes: 1e6,
      download: async () => new Response(endless(), { status: 206 }),
      logger,
    });
    expect(await resumed.ensure(a.ref)).toBeNull();
    expect(sent).toBeLessThan(64 * 1024);
  });

  it('keeps the manifest across restarts and ignores a damaged one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loa-cache-'));
    const media = server(new Map());
    const manifest = manifestOf([asset(10, 6).ref]);
    createFileCache({ dir, maxBytes: 1e6, download: media.download, logger }).saveManifest(manifest, '"e9"');
    expect(createFileCache({ dir, maxBytes: 1e6, download: media.download, logger }).loadManifest()).toEqual({
      manifest,
      etag: '"e9"',
    });
    writeFileSync(join(dir, 'manifest.json'), '{"manifest": {"items": "no"}}');
    expect(
      createFileCache({ dir, maxBytes: 1e6, download: media.download, logger }).loadManifest(),
    ).toBeUndefined();
  });

  it('starts with what it can read after a power cut: a leftover temporary file, a half-written or newer manifest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loa-cache-'));
    const media = server(new Map());
    const open = () => createFileCache({ dir, maxBytes: 1e6, download: media.download, logger });
    const manifest = manifestOf([asset(10, 7).ref, asset(10, 8).ref]);
    open().saveManifest(manifest, '"e1"');
    expect(readdirSync(dir).filter((f) => f.startsWith('manifest'))).toEqual(['manifest.json']);

    // Cut while the next one was written: the temporary file is half of it, the manifest the one before.
    writeFileSync(join(dir, 'manifest.json.tmp'), '{"manifest": {"receiverId": "r", "ite');
    expect(open().loadManifest()).toEqual({ manifest, etag: '"e1"' });
    open().saveManifest({ ...manifest, version: 2 }, '"e2"');
    expect(readdirSync(dir).filter((f) => f.startsWith('manifest'))).toEqual(['manifest.json']);
    expect(open().loadManifest()?.manifest.version).toBe(2);

    // Kept by a newer agent before a downgrade: an item of a kind this one does not know is passed over.
    const newer = { ...manifest, items: [{ ...manifest.items[0]!, kind: 'tts' }, manifest.items[1]!] };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ manifest: newer, etag: '"e3"' }));
    expect(open().loadManifest()).toEqual({
      manifest: { ...manifest, items: [manifest.items[1]] },
      etag: '"e3"',
    });

    // Written without being flushed by an older agent, the file can be empty after a cut.
    writeFileSync(join(dir, 'manifest.json'), '');
    expect(open().loadManifest()).toBeUndefined();
  });
});
