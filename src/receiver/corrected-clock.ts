import type { AgentClock } from './ports.js';

/**
 * The box's clock corrected by the server's: each answer carries `serverTime`; the offset is taken from
 * the sample with the shortest round trip among the recent ones (as NTP does), because a slow answer
 * says least about when the server read its clock.
 */
export function createCorrectedClock(local: AgentClock, initialOffsetMs = 0) {
  let offset = initialOffsetMs;
  let samples: { rttMs: number; offsetMs: number }[] = [];
  return {
    /** Server time as best known, in epoch ms. */
    now: (): number => local.now() + offset,
    offsetMs: (): number => offset,
    /** Learns from an answer sent at `sentAt` and received at `receivedAt` (local ms). */
    observe(serverTime: string, sentAt: number, receivedAt: number): void {
      const server = Date.parse(serverTime);
      if (!Number.isFinite(server)) return;
      const sample = {
        rttMs: Math.max(0, receivedAt - sentAt),
        offsetMs: server - (sentAt + receivedAt) / 2,
      };
      samples = [...samples.slice(-7), sample];
      offset = Math.round(samples.reduce((best, s) => (s.rttMs < best.rttMs ? s : best)).offsetMs);
    },
  };
}

export type CorrectedClock = ReturnType<typeof createCorrectedClock>;
