/**
 * The entry of a comma-separated forwarding header (`X-Forwarded-For`, `X-Forwarded-Proto`) that the
 * outermost of `hops` trusted reverse proxies wrote. Each proxy appends what it saw to what it was sent,
 * so the entries further left were written by the client and prove nothing; with fewer entries than
 * hops, the leftmost is the furthest anyone can tell (Express's `trust proxy` with a number does the same).
 * Undefined without trusted proxies or without the header.
 *
 * @example fromTrustedHop('6.6.6.6, 203.0.113.9', 1) // '203.0.113.9'
 * @example fromTrustedHop('6.6.6.6, 203.0.113.9, 10.0.0.2', 2) // '203.0.113.9'
 */
export function fromTrustedHop(header: string | undefined, hops: number): string | undefined {
  if (hops <= 0 || !header) return undefined;
  const entries = header.split(',');
  return entries[Math.max(0, entries.length - hops)]?.trim() || undefined;
}
