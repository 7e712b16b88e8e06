/**
 * Delay before retry number `attempt` (0-based): exponential from `baseMs` up to `maxMs`, with "full
 * jitter" (a random share of it), so that a hamlet's boxes coming back together do not all call at once.
 * @example backoffMs(3, () => 0.5) // → 4000 (half of 8 s)
 */
export function backoffMs(attempt: number, random: () => number, baseMs = 1000, maxMs = 5 * 60_000): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.max(baseMs / 2, Math.round(ceiling * random()));
}
