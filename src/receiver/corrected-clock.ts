import type { AgentClock } from './ports.js';

/** How far two samples may disagree beyond what their round trips explain (the box's clock drifting). */
const DRIFT_TOLERANCE_MS = 1000;

/**
 * The box's clock corrected by the server's: each answer carries `serverTime`; the offset is taken from
 * the sample with the shortest round trip among the recent ones (as NTP does), because a slow answer
 * says least about when the server read its clock. A box without a battery clock has its clock set (by
 * NTP, hours after boot) while the agent runs: samples from before such a step disagree with the new ones
 * by more than their round trips allow, and are forgotten.
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
      // A round trip the local clock measured as negative was cut by a step of that clock: it says nothing.
      if (!Number.isFinite(server) || receivedAt < sentAt) return;
      const sample = { rttMs: receivedAt - sentAt, offsetMs: server - (sentAt + receivedAt) / 2 };
      const agrees = (s: typeof sample) =>
        Math.abs(s.offsetMs - sample.offsetMs) <= (s.rttMs + sample.rttMs) / 2 + DRIFT_TOLERANCE_MS;
      samples = [...samples.filter(agrees).slice(-7), sample];
      offset = Math.round(samples.reduce((best, s) => (s.rttMs < best.rttMs ? s : best)).offsetMs);
    },
  };
}

export type CorrectedClock = ReturnType<typeof createCorrectedClock>;
