import { PUSH_KEEP_ALIVE_MS } from '../domain/receiver/protocol.js';

/**
 * Delay before retry number `attempt` (0-based): exponential from `baseMs` up to `maxMs`, with "full
 * jitter" (a random share of it), so that a hamlet's boxes coming back together do not all call at once.
 * @example backoffMs(3, () => 0.5) // → 4000 (half of 8 s)
 */
export function backoffMs(attempt: number, random: () => number, baseMs = 1000, maxMs = 5 * 60_000): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.max(baseMs / 2, Math.round(ceiling * random()));
}

/** A server's `retry:` hint is followed up to this long: a wrong one must not keep a box away for hours. */
export const MAX_RETRY_HINT_MS = 5 * 60_000;

/**
 * How long a push channel may stay silent, not even a keep-alive, before the box takes it for dead. A server
 * that vanished without closing the connection (killed with its network, a carrier NAT that dropped the
 * mapping, a rebooted router) leaves the stream open and quiet, and TCP keepalive notices only after about
 * 12 minutes: emergencies pushed meanwhile would be missed. Two keep-alives missed, with 10 s for a slow 4G
 * link and a busy server writing to thousands of channels, is a dead channel.
 */
export const PUSH_SILENCE_MS = 2 * PUSH_KEEP_ALIVE_MS + 10_000;

/**
 * A push channel that ends sooner than this after opening counts as a failed attempt: one the server keeps
 * closing at once (two more boxes cloned with the same token, beyond the server's two channels per
 * receiver; a proxy that cuts the stream) would otherwise be opened again, with a schedule fetch, every
 * 0.5–3 s for ever. A channel that lived to see the server's first keep-alive was a working one.
 */
export const BRIEF_CHANNEL_MS = PUSH_KEEP_ALIVE_MS;

/** How an attempt at the push channel ended, for the delay before the next one. */
export type ChannelEnd =
  /** The server closed it with a `retry:` hint (a graceful shutdown, already spread by the server). */
  | { readonly kind: 'hinted'; readonly retryMs: number }
  /** It was open and dropped without one (its server was killed, the link cut). */
  | { readonly kind: 'dropped' }
  /**
   * It could not be opened, or it was closed without a hint within `BRIEF_CHANNEL_MS` of opening: the
   * `attempt`-th failure in a row (0-based).
   */
  | { readonly kind: 'failed'; readonly attempt: number };

/**
 * Delay before connecting the push channel again. The server's hint is followed; a channel that dropped
 * comes back after a short delay drawn uniformly in 0.5–3 s, so that the thousands of boxes of a killed
 * instance reach the others within seconds but not in the same instant; only failures to connect, and
 * channels that lived only briefly, back off exponentially (up to a minute).
 * @example reconnectMs({ kind: 'dropped' }, () => 0.2) // → 1000
 */
export function reconnectMs(end: ChannelEnd, random: () => number): number {
  if (end.kind === 'hinted') return Math.min(Math.max(0, Math.round(end.retryMs)), MAX_RETRY_HINT_MS);
  if (end.kind === 'dropped') return Math.round(500 + 2500 * random());
  return backoffMs(end.attempt, random, 1000, 60_000);
}
