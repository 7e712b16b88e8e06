import { createAgent, type Agent } from './agent.js';
import type { AgentStatus } from './agent-options.js';
import { createMemoryCache } from './cache.js';
import { createSimulatedPlayer } from './player.js';
import { silentLogger, systemTimers, type ResolveHost, type Timers } from './ports.js';
import { createMemoryStore, type AgentStore } from './store.js';

export interface SimulationOptions {
  readonly server: string;
  readonly tokens: readonly string[];
  /** Relay hosts are checked as on a box, with this resolver. */
  readonly resolveHost: ResolveHost;
  readonly timers?: Timers;
  readonly fetch?: typeof fetch;
  /** Spread the receivers' first calls over this long, as boxes powering up do (default 5 s). */
  readonly rampMs?: number;
  readonly heartbeatMs?: number;
  readonly pollMs?: number;
}

export interface SimulationStats {
  readonly receivers: number;
  readonly online: number;
  readonly pushConnected: number;
  readonly unauthorized: number;
  readonly played: number;
  readonly delivered: number;
  readonly duplicates: number;
  readonly pending: number;
}

/**
 * Many virtual receivers in one process: the real agent with an in-memory queue and cache and a player
 * that "plays" for the item's duration without sound. Each polls, heartbeats, holds a push channel and
 * reports its log like a box would.
 */
export function createSimulation(options: SimulationOptions) {
  const timers = options.timers ?? systemTimers;
  const receivers: { agent: Agent; store: AgentStore; played: () => number }[] = options.tokens.map(
    (token) => {
      const store = createMemoryStore();
      let played = 0;
      const counting: AgentStore = {
        ...store,
        enqueue: (event) => {
          if (event.type === 'started') played++;
          store.enqueue(event);
        },
      };
      const agent = createAgent({
        server: options.server,
        token,
        store: counting,
        cache: createMemoryCache(),
        player: createSimulatedPlayer(timers),
        resolveHost: options.resolveHost,
        timers,
        ...(options.fetch && { fetch: options.fetch }),
        ...(options.heartbeatMs && { heartbeatMs: options.heartbeatMs }),
        ...(options.pollMs && { pollMs: options.pollMs }),
        logger: silentLogger,
        appVersion: 'simulated',
        volume: 70,
        readStatus: async () => ({
          signal: -80,
          freeBytes: 4e9,
          uptimeS: Math.round(process.uptime()),
        }),
      });
      return { agent, store: counting, played: () => played };
    },
  );
  const starts: unknown[] = [];

  return {
    start(): void {
      const ramp = options.rampMs ?? 5000;
      receivers.forEach((r, i) =>
        starts.push(timers.setTimeout(() => r.agent.start(), (ramp * i) / Math.max(1, receivers.length))),
      );
    },

    stats(): SimulationStats {
      const statuses: AgentStatus[] = receivers.map((r) => r.agent.status());
      const count = (f: (s: AgentStatus) => boolean) => statuses.filter(f).length;
      return {
        receivers: receivers.length,
        online: count((s) => s.online),
        pushConnected: count((s) => s.pushConnected),
        unauthorized: count((s) => s.unauthorized),
        played: receivers.reduce((sum, r) => sum + r.played(), 0),
        delivered: statuses.reduce((sum, s) => sum + s.delivered.accepted, 0),
        duplicates: statuses.reduce((sum, s) => sum + s.delivered.duplicates, 0),
        pending: statuses.reduce((sum, s) => sum + s.pendingEvents, 0),
      };
    },

    agents: (): readonly Agent[] => receivers.map((r) => r.agent),

    async stop(): Promise<void> {
      starts.forEach((t) => timers.clearTimeout(t));
      await Promise.all(receivers.map((r) => r.agent.stop()));
    },
  };
}

export type Simulation = ReturnType<typeof createSimulation>;
