import type { OnHours } from '../domain/receiver/command.js';
import type { Heartbeat } from '../domain/receiver/protocol.js';
import type { AgentCache } from './cache.js';
import type { Player } from './player.js';
import type { AgentClock, AgentLogger, ResolveHost, Timers } from './ports.js';
import type { AgentStore } from './store.js';

/** What the receiver agent is given: where its server is, its box's parts, and its timings. */
export interface AgentOptions {
  readonly server: string;
  readonly token: string;
  readonly store: AgentStore;
  readonly cache: AgentCache;
  readonly player: Player;
  /** The box's resolver, for the hosts of relays (`resolve-host.node.ts` on a box). */
  readonly resolveHost: ResolveHost;
  readonly clock?: AgentClock;
  readonly timers?: Timers;
  readonly fetch?: typeof fetch;
  readonly random?: () => number;
  readonly logger?: AgentLogger;
  /** Polling interval when the push channel is down (default 60 s). */
  readonly pollMs?: number;
  /** Polling interval while the push channel is up: only to follow the moving 48 h window (default 15 min). */
  readonly ssePollMs?: number;
  readonly heartbeatMs?: number;
  /**
   * How long the push channel may stay silent, no event and no keep-alive, before it is dropped and
   * opened again (default `PUSH_SILENCE_MS`, 60 s: two of the server's keep-alives missed). `Infinity`
   * never drops it: for `timers` that do not run in step with the server's keep-alives.
   */
  readonly pushSilenceMs?: number;
  /** How late an item may still start (default 10 min). */
  readonly lateToleranceMs?: number;
  readonly logBatchSize?: number;
  /** Use the push channel (default true); without it the agent only polls. */
  readonly sse?: boolean;
  readonly appVersion?: string;
  /** The volume the box starts at, 0–100, until the commune sets one (default 80). */
  readonly volume?: number;
  /** The box's vital signs for heartbeats. */
  readonly readStatus?: () => Promise<Pick<Heartbeat, 'signal' | 'freeBytes' | 'uptimeS'>>;
}

/** What the agent reports of itself (`agent.status()`): the box's state for its screen and for tests. */
export interface AgentStatus {
  readonly online: boolean;
  readonly pushConnected: boolean;
  /** The server refused the token (rotated or disabled): playing on from the cache. */
  readonly unauthorized: boolean;
  readonly scheduleVersion: number | null;
  readonly etag: string | null;
  readonly clockOffsetMs: number;
  readonly pendingEvents: number;
  readonly playing: string | null;
  readonly delivered: { readonly accepted: number; readonly duplicates: number };
  /** What the commune set remotely. */
  readonly volume: number;
  readonly muted: boolean;
  readonly onHours: OnHours | null;
  /** Times the agent restarted its loop on command since it was started. */
  readonly restarts: number;
}
