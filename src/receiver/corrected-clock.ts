import type { AgentClock } from './ports.js';

/** How far two samples may disagree beyond what their round trips explain (the box's clock drifting). */
const DRIFT_TOLERANCE_MS = 1000;

/**
 * The box's clock corrected by the server's: each answer carries `serverTime`; the offset is taken from
 * the sample with the shortest round trip among the recent ones (as NTP does), because a slow answer
 * says least about when the server read its clock. A box without a battery clock has its clock set (by
 * NTP, hours after boot) while the agent runs: samples from before such a step disagree with the new ones
 * by more than their round trips allow, and are forgotten. With the box's monotonic clock, time is counted
 * on it once an answer came, so such a step changes nothing even before the next answer: until then, the
 * offset learnt before the step would put the box hours ahead, skipping what is due and playing what is not.
 */
export function createCorrectedClock(local: AgentClock, initialOffsetMs = 0) {
  const monotonic = local.monotonic?.bind(local);
  // The box's time with steps of its clock taken out: its clock at the start, then the monotonic one.
  const origin = monotonic ? local.now() - monotonic() : 0;
  const steady = monotonic ? () => origin + monotonic() : () => local.now();
  let offset = initialOffsetMs;
  let samples: { rttMs: number; offsetMs: number }[] = [];
  // Until an answer comes, the offset kept from the last run goes with the box's clock: it was learnt
  // against that clock set right, and NTP setting it after a boot brings it back there.
  let learnt = false;
  const now = (): number => (learnt ? Math.round(steady() + offset) : local.now() + offset);
  return {
    /** Server time as best known, in epoch ms. */
    now,
    /** Server time minus the box's clock now, as the box reports it and keeps it across restarts. */
    offsetMs: (): number => (learnt && monotonic ? now() - local.now() : offset),
    /**
     * Learns from an answer sent at `sentAt` and received at `receivedAt` (local ms); says whether the
     * server time it gives changed.
     */
    observe(serverTime: string, sentAt: number, receivedAt: number): boolean {
      const server = Date.parse(serverTime);
      // A round trip the local clock measured as negative was cut by a step of that clock: it says nothing.
      if (!Number.isFinite(server) || receivedAt < sentAt) return false;
      const [wall, steadyNow] = [local.now(), steady()];
      const sample = {
        rttMs: receivedAt - sentAt,
        offsetMs: server - (sentAt + receivedAt) / 2 - (steadyNow - wall),
      };
      const agrees = (s: typeof sample) =>
        Math.abs(s.offsetMs - sample.offsetMs) <= (s.rttMs + sample.rttMs) / 2 + DRIFT_TOLERANCE_MS;
      samples = [...samples.filter(agrees).slice(-7), sample];
      const before = Math.round((learnt ? steadyNow : wall) + offset);
      learnt = true;
      offset = Math.round(samples.reduce((best, s) => (s.rttMs < best.rttMs ? s : best)).offsetMs);
      return Math.round(steadyNow + offset) !== before;
    },
  };
}

export type CorrectedClock = ReturnType<typeof createCorrectedClock>;
