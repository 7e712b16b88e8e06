import { createHash } from 'node:crypto';
import { readFile, rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import pino from 'pino';
import type { AudioTargets } from './domain/commune.js';
import { AudioRejectedError, type AudioSource } from './domain/ports/audio.js';
import type { Logger } from './domain/ports/logger.js';
import { createNodeAudioWork } from './media/audio-work.node.js';
import { resolveFfmpeg } from './media/ffmpeg-binaries.js';
import { createFileMediaStore, type FileMediaStore } from './media/file-store.node.js';
import { createEspeakEngine } from './media/tts/espeak.js';

/**
 * Another node's files in a shared work folder count as dead once untouched this long, far past the
 * edge's one-minute lease; the node's own go at any age, as a Node worker's do at start.
 */
const LEFTOVER_AGE_MS = 60 * 60_000;

/**
 * The node's media store. The MP3 a job makes stays in the store's scratch area, under the node's tag
 * like the original it fetched and its work folder, instead of the content-addressed area: a run killed
 * before it was sent leaves it where the next start knows it for its own, and a node keeps no audio.
 */
function nodeStore(workDir: string, node: string) {
  const store = createFileMediaStore(workDir, { owner: node });
  const outputs = new Map<string, string>();
  const media: FileMediaStore = {
    ...store,
    async putAsset(file, ext) {
      const path = await store.scratchPath(ext);
      await rename(file, path);
      const bytes = await readFile(path);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      outputs.set(`${sha256}.${ext}`, path);
      return { sha256, bytes: bytes.length };
    },
  };
  return {
    media,
    /** The file of an output `media.putAsset` kept. */
    outputPath: (sha256: string, ext: string) => outputs.get(`${sha256}.${ext}`),
    /** Removes every output kept so far (a node does one job at a time). */
    async removeOutputs() {
      for (const path of outputs.values()) await rm(path, { force: true });
      outputs.clear();
    },
  };
}

/** A job as the edge hands it out (`ProcessingLease` of the processing service, over JSON). */
interface Lease {
  readonly jobId: string;
  readonly attempt: number;
  readonly leaseUntil: string;
  readonly targets: AudioTargets;
  readonly source:
    | { readonly kind: 'text'; readonly text: string; readonly voice: string; readonly language: string }
    | { readonly kind: 'file' };
}

export interface ProcessingNodeOptions {
  /** The edge deployment, e.g. https://loa.example.workers.dev */
  readonly edge: string;
  /** The deployment's `LOA_PROCESSING_TOKEN`. */
  readonly token: string;
  /** This node's name (default: the host name); its leases are held under it. */
  readonly node: string;
  /** Where originals and work files are kept while a job runs. */
  readonly workDir: string;
  /** Default: pino on stdout at LOG_LEVEL. */
  readonly logger?: Logger;
  /** How long to wait when there is no job (default 2 s). */
  readonly pollMs?: number;
  /** How often a running job's lease is renewed (default 20 s, a third of the edge's 60 s lease). */
  readonly renewMs?: number;
}

/**
 * A processing node: on any machine with ffmpeg, pulls the edge profile's audio jobs (typed texts,
 * recordings from phones that could not process them) over HTTP, runs the same Node pipeline as
 * `loa serve` and posts the MP3 back, where the Worker measures it before it becomes ready.
 */
export function createProcessingNode(options: ProcessingNodeOptions) {
  const base = options.edge.replace(/\/+$/, '');
  const { node } = options;
  const logger: Logger = options.logger ?? pino({ level: process.env.LOG_LEVEL ?? 'info' });
  const { media, outputPath, removeOutputs } = nodeStore(options.workDir, node);
  const audio = createNodeAudioWork({
    binaries: resolveFfmpeg(process.env),
    media,
    tts: createEspeakEngine(),
  });
  const auth = { authorization: `Bearer ${options.token}` };
  const call = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${base}${path}`, { ...init, headers: { ...auth, ...init.headers } });
    if (res.status >= 400 && res.status !== 422) {
      throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
    }
    return res;
  };
  const postJson = (path: string, body: unknown) =>
    call(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const q = `?node=${encodeURIComponent(node)}`;

  /** Brings a job's original here, into the node's own media store. */
  async function fetchSource(jobId: string): Promise<string> {
    const res = await call(`/api/v1/processing/jobs/${encodeURIComponent(jobId)}/source${q}`);
    const target = await media.beginUpload();
    try {
      for await (const chunk of Readable.fromWeb(res.body! as never) as AsyncIterable<Uint8Array>) {
        await target.write(chunk);
      }
      await target.finish();
      return target.key;
    } catch (error) {
      await target.finish().catch(() => undefined);
      await media.discard(target.key);
      throw error;
    }
  }

  async function work(lease: Lease): Promise<'ready' | 'refused' | 'failed'> {
    const job = encodeURIComponent(lease.jobId);
    const renewal = setInterval(() => {
      postJson(`/api/v1/processing/jobs/${job}/lease`, { node }).catch((error: Error) =>
        logger.warn({ job: lease.jobId, err: error.message }, 'lease renewal failed'),
      );
    }, options.renewMs ?? 20_000);
    let sourceKey: string | undefined;
    let made: Awaited<ReturnType<typeof audio.process>> | undefined;
    try {
      const source: AudioSource =
        lease.source.kind === 'text'
          ? {
              kind: 'text',
              text: lease.source.text,
              voice: lease.source.voice,
              language: lease.source.language,
            }
          : { kind: 'file', key: (sourceKey = await fetchSource(lease.jobId)) };
      // Only the MP3 goes back: the receivers play it, and the Worker measures it.
      made = await audio.process(source, { ...lease.targets, opus: false });
      const mp3 = made.outputs.find((o) => o.format === 'mp3')!;
      const file = outputPath(mp3.sha256, 'mp3');
      if (!file) throw new Error('the processed MP3 is missing from the work folder');
      const bytes = new Uint8Array(await readFile(file));
      const form = new FormData();
      form.set('file', new File([bytes], `${mp3.sha256}.mp3`, { type: 'audio/mpeg' }));
      const res = await call(`/api/v1/processing/jobs/${job}/result${q}`, { method: 'POST', body: form });
      if (res.status === 422) {
        logger.warn({ job: lease.jobId, problem: await res.text() }, 'the edge refused the processed audio');
        return 'refused';
      }
      logger.info(
        { job: lease.jobId, durationMs: made.durationMs, lufs: made.loudness.integratedLufs },
        'job done',
      );
      return 'ready';
    } catch (error) {
      const rejection = error instanceof AudioRejectedError ? error.rejection : undefined;
      logger.warn({ job: lease.jobId, err: (error as Error).message }, 'job failed');
      await postJson(`/api/v1/processing/jobs/${job}/failure`, {
        node,
        error: (error as Error).message.slice(0, 2000),
        ...(rejection && {
          rejection: {
            code: rejection.code,
            status: rejection.status,
            message: rejection.message,
            messageEn: rejection.messageEn,
          },
        }),
      });
      return 'failed';
    } finally {
      clearInterval(renewal);
      if (sourceKey) await media.discard(sourceKey).catch(() => undefined);
      // The node keeps nothing once the job is over: the edge stores the MP3 it was sent.
      await removeOutputs().catch(() => undefined);
    }
  }

  let cleared: Promise<void> | undefined;
  /**
   * Once, before the first lease: a run killed with -9 (a power cut, the OOM killer) kept nothing in
   * memory to clean up with, and the edge's retry of its job starts from a fresh fetch.
   */
  const clearLeftovers = () =>
    (cleared ??= media.removeOrphans(LEFTOVER_AGE_MS, { includeOwn: true }).then(
      (removed) => logger.info(removed, 'work folder cleared of leftovers'),
      // It costs disk space, not jobs: work anyway.
      (error: Error) => logger.error({ err: error.message }, 'work folder clean-up failed'),
    ));

  return {
    /** Leases one job and does it; false when the edge had none. */
    async once(): Promise<boolean> {
      await clearLeftovers();
      const res = await postJson('/api/v1/processing/lease', { node });
      if (res.status === 204) return false;
      await work((await res.json()) as Lease);
      return true;
    },

    /** Works until `signal` aborts, waiting `pollMs` whenever there is nothing to do or the edge is down. */
    async run(signal: AbortSignal): Promise<void> {
      logger.info({ edge: base, node }, 'processing node started');
      while (!signal.aborted) {
        let busy = false;
        try {
          busy = await this.once();
        } catch (error) {
          logger.warn({ err: (error as Error).message }, 'edge unreachable; trying again');
        }
        if (!busy && !signal.aborted) {
          await new Promise((resolve) => {
            const timer = setTimeout(resolve, options.pollMs ?? 2000);
            signal.addEventListener('abort', () => (clearTimeout(timer), resolve(undefined)), { once: true });
          });
        }
      }
    },
  };
}
