/** Side effects of the agent as small interfaces, so tests drive time instead of waiting for it. */

export interface AgentClock {
  /** Epoch milliseconds by the box's own clock. */
  now(): number;
  /**
   * Milliseconds from any origin, never set or stepped (`performance.now()`): how much time passed, when
   * NTP may set `now` hours forward at any moment. Without it, steps of `now` are seen only at the next
   * answer of the server.
   */
  monotonic?(): number;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: AgentClock = { now: () => Date.now(), monotonic: () => performance.now() };

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface AgentLogger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
}

export const silentLogger: AgentLogger = { info: () => {}, warn: () => {} };

/** Prints one JSON line per message, for a box's journal. */
export const consoleLogger: AgentLogger = {
  info: (message, data) => process.stdout.write(`${JSON.stringify({ level: 'info', message, ...data })}\n`),
  warn: (message, data) => process.stderr.write(`${JSON.stringify({ level: 'warn', message, ...data })}\n`),
};

/**
 * The addresses a host name resolves to, as the box's player will look them up (`getaddrinfo`). A port
 * so that tests give the answer without a network; `resolve-host.node.ts` is the real one.
 */
export type ResolveHost = (hostname: string) => Promise<readonly string[]>;
