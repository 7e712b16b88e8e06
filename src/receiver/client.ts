import {
  HeartbeatAnswerSchema,
  LogAnswerSchema,
  type Heartbeat,
  type LogEvent,
  type Manifest,
} from '../domain/receiver/protocol.js';
import { z } from 'zod';
import {
  CommandAckAnswerSchema,
  CommandMessageSchema,
  type CommandAck,
  type CommandMessage,
} from '../domain/receiver/command.js';
import type { AgentClock } from './ports.js';
import { readManifest, type SkippedItem } from './readable-items.js';

const HeartbeatAnswer = HeartbeatAnswerSchema.extend({ commands: z.array(z.unknown()).optional() });
/** The server answered with an HTTP error; `problem` is its problem+json body when it sent one. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly problem: Readonly<Record<string, unknown>> | null,
  ) {
    super(`HTTP ${status}${problem?.detail ? `: ${String(problem.detail)}` : ''}`);
  }
}

export interface Timed {
  /** The server's clock and when (local ms) the request left and the answer came. */
  readonly serverTime: string | null;
  readonly sentAt: number;
  readonly receivedAt: number;
}

export interface ProtocolClientOptions {
  readonly server: string;
  readonly token: string;
  readonly fetch: typeof fetch;
  readonly clock: AgentClock;
  /** Longest wait for an API answer (real time: it bounds a network call, it schedules nothing). */
  readonly timeoutMs?: number;
}

/** The receiver protocol v1 over HTTP, as the agent calls it. */
export function createProtocolClient(options: ProtocolClientOptions) {
  const base = options.server.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const auth = { authorization: `Bearer ${options.token}` };

  async function call(path: string, init: RequestInit): Promise<{ res: Response } & Timed> {
    const sentAt = options.clock.now();
    const res = await options.fetch(`${base}${path}`, {
      ...init,
      signal: init.signal ?? AbortSignal.timeout(timeoutMs),
    });
    const receivedAt = options.clock.now();
    if (res.status >= 400) {
      const text = await res.text().catch(() => '');
      let problem: Record<string, unknown> | null = null;
      try {
        problem = JSON.parse(text) as Record<string, unknown>;
      } catch {
        problem = null;
      }
      throw new HttpError(res.status, problem);
    }
    return { res, serverTime: res.headers.get('x-server-time'), sentAt, receivedAt };
  }

  const post = (path: string, body: unknown) =>
    call(path, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  return {
    /** The manifest, or `null` when the ETag still holds (304). */
    async schedule(
      etag: string | null,
    ): Promise<Timed & { manifest: Manifest | null; etag: string | null; skipped: readonly SkippedItem[] }> {
      const { res, ...timed } = await call('/api/v1/receiver/schedule', {
        headers: { ...auth, ...(etag && { 'if-none-match': etag }) },
      });
      if (res.status === 304) return { ...timed, manifest: null, etag, skipped: [] };
      const { manifest, skipped } = readManifest(await res.json(), base);
      return {
        ...timed,
        serverTime: timed.serverTime ?? manifest.serverTime,
        manifest,
        etag: res.headers.get('etag'),
        skipped,
      };
    },

    async heartbeat(
      beat: Heartbeat,
    ): Promise<Timed & { scheduleVersion: number; commands: readonly CommandMessage[] }> {
      const { res, ...timed } = await post('/api/v1/receiver/heartbeat', beat);
      const answer = HeartbeatAnswer.parse(await res.json());
      return {
        ...timed,
        serverTime: answer.serverTime,
        scheduleVersion: answer.scheduleVersion,
        // A command this box does not know (a newer server's) is passed over, not the whole answer.
        commands: (answer.commands ?? []).flatMap((c) => {
          const known = CommandMessageSchema.safeParse(c);
          return known.success ? [known.data] : [];
        }),
      };
    },

    /** Answers a command of the commune. */
    async ack(id: string, answer: CommandAck): Promise<void> {
      const { res } = await post(`/api/v1/receiver/commands/${encodeURIComponent(id)}/ack`, answer);
      CommandAckAnswerSchema.parse(await res.json());
    },

    /** Delivers events; a 422 names the refused ones in `rejected`. */
    async logs(events: readonly LogEvent[]): Promise<{ accepted: number; duplicates: number }> {
      const { res } = await post('/api/v1/receiver/logs', { events });
      return LogAnswerSchema.parse(await res.json());
    },

    /** Opens the push channel; the body is an event stream until the server or `signal` ends it. */
    async events(signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
      const { res } = await call('/api/v1/receiver/events', {
        headers: { ...auth, accept: 'text/event-stream' },
        signal,
      });
      if (!res.body) throw new Error('event stream without a body');
      return res.body;
    },

    /** GETs audio; media is public and content-addressed, so no token travels with it. */
    media: (url: string, headers: Record<string, string>): Promise<Response> =>
      options.fetch(new URL(url, `${base}/`).toString(), {
        headers,
        signal: AbortSignal.timeout(10 * timeoutMs),
      }),
  };
}

export type ProtocolClient = ReturnType<typeof createProtocolClient>;
