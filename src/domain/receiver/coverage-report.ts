import { playbackStatus, type PlaybackFacts } from './playback.js';

/**
 * Coverage counted per receiver: each (receiver, occurrence) pair is one airing the hamlet expected of
 * that box. A hamlet with six boxes, three playing and three offline, heard an item on half of its
 * boxes; counting the occurrence as "played" because one box aired it overstated what people heard.
 */

/**
 * What a due airing became; `played` includes a box still playing it. `interrupted`: the box stopped it
 * because it was told to, which is no failure of the box.
 */
export const AIRING_OUTCOMES = ['played', 'failed', 'missed', 'offline', 'interrupted'] as const;
export type AiringOutcome = (typeof AIRING_OUTCOMES)[number];

/** The facts of one pair a report counts by: `PlaybackFacts` but for `completed`, which it never needs. */
export type AiringFacts = Omit<PlaybackFacts, 'completed'>;

/**
 * The outcome one pair counts as, or null while it is not decided (no report, grace not over). A box
 * that started is counted as having aired it even before it completes; a failure it was told to have
 * (`interrupted`) is not its own.
 */
export function airingOutcome(facts: AiringFacts): AiringOutcome | null {
  const status = playbackStatus({ ...facts, completed: false });
  if (status === 'playing') return 'played';
  return status === 'scheduled' ? null : status;
}

/** Pairs of one receiver in one hamlet with the same facts, as the database groups them. */
export interface AiringCount extends AiringFacts {
  readonly receiverId: string;
  /** The hamlet the box aired them for: where it was then, which it may have left since. */
  readonly hamletId: string;
  readonly name: string;
  readonly count: number;
}

export interface AiringCounts {
  /** Airings whose outcome is known: played + failed + missed + offline (interrupted ones left out). */
  readonly expected: number;
  readonly played: number;
  readonly failed: number;
  readonly missed: number;
  readonly offline: number;
  /**
   * Airings the box cut short because it was told to: neither failed nor expected any more, so that an
   * emergency or an item taken off the air counts against no box.
   */
  readonly interrupted: number;
  /** played / expected, to 3 decimals; null while nothing is expected yet. */
  readonly rate: number | null;
}

export interface ReceiverCoverage extends AiringCounts {
  readonly receiverId: string;
  readonly name: string;
  /** The hamlet these airings were for; a box moved in the range has a row per hamlet. */
  readonly hamletId: string;
}

export interface HamletCoverage extends AiringCounts {
  readonly hamletId: string;
  /** Occurrences scheduled there in the range (not cancelled), whatever happened to them. */
  readonly scheduled: number;
}

const rateOf = (played: number, expected: number): number | null =>
  expected === 0 ? null : Math.round((played / expected) * 1000) / 1000;

const noAirings = (): Record<AiringOutcome, number> => ({
  played: 0,
  failed: 0,
  missed: 0,
  offline: 0,
  interrupted: 0,
});

/**
 * Adds counts up and computes the rate.
 * @example sumAirings([{ played: 3, failed: 0, missed: 0, offline: 3, interrupted: 1 }])
 * // → { expected: 6, played: 3, failed: 0, missed: 0, offline: 3, interrupted: 1, rate: 0.5 }
 */
export function sumAirings(parts: readonly Pick<AiringCounts, AiringOutcome>[]): AiringCounts {
  const t = noAirings();
  for (const p of parts) for (const outcome of AIRING_OUTCOMES) t[outcome] += p[outcome];
  const expected = t.played + t.failed + t.missed + t.offline;
  return {
    expected,
    played: t.played,
    failed: t.failed,
    missed: t.missed,
    offline: t.offline,
    interrupted: t.interrupted,
    rate: rateOf(t.played, expected),
  };
}

/** Pairs with the same facts, counted by the database in any grouping (per commune, per day …). */
export type FactCount = AiringFacts & { readonly count: number };

/**
 * Adds up pairs counted by facts with the one rule of `airingOutcome`: what a commune's report says of
 * its receivers' airings, whatever the grouping the counts were made in.
 * @example countAiringFacts([{ aired: true, due: true, failed: false, interrupted: false, skipped: false, heard: true, count: 3 },
 *   { aired: false, due: true, failed: false, interrupted: false, skipped: false, heard: false, count: 3 }])
 * // → { expected: 6, played: 3, failed: 0, missed: 0, offline: 3, interrupted: 0, rate: 0.5 }
 */
export function countAiringFacts(rows: readonly FactCount[]): AiringCounts {
  const t = noAirings();
  for (const row of rows) {
    const outcome = airingOutcome(row);
    if (outcome) t[outcome] += row.count;
  }
  return sumAirings([t]);
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Coverage per receiver and hamlet from pairs counted by the database: a box moved between hamlets in the
 * range gets a row in each, with what it aired for that hamlet. Every (receiver, hamlet) in the counts
 * gets a row, and so does every one of `receivers` in its hamlet (those to list even when nothing was
 * expected of them: rate null); sorted by hamlet, then name.
 * @example receiverCoverage([{ id: 'a', hamletId: 'un-ta', name: 'Chợ' }], [{ receiverId: 'a', hamletId: 'un-ta', aired: true, due: true, … , count: 2 }])
 * // → [{ receiverId: 'a', hamletId: 'un-ta', expected: 2, played: 2, …, rate: 1 }]
 */
export function receiverCoverage(
  receivers: readonly { readonly id: string; readonly hamletId: string; readonly name: string }[],
  counts: readonly AiringCount[],
): readonly ReceiverCoverage[] {
  const keyOf = (id: string, hamletId: string) => `${id}\u0000${hamletId}`;
  const known = new Map(receivers.map((r) => [keyOf(r.id, r.hamletId), r]));
  for (const c of counts) {
    const key = keyOf(c.receiverId, c.hamletId);
    if (!known.has(key)) known.set(key, { id: c.receiverId, hamletId: c.hamletId, name: c.name });
  }
  const totals = new Map<string, Record<AiringOutcome, number>>();
  for (const key of known.keys()) totals.set(key, noAirings());
  for (const c of counts) {
    const outcome = airingOutcome(c);
    if (outcome) totals.get(keyOf(c.receiverId, c.hamletId))![outcome] += c.count;
  }
  return [...known.entries()]
    .sort(
      ([, a], [, b]) => byString(a.hamletId, b.hamletId) || byString(a.name, b.name) || byString(a.id, b.id),
    )
    .map(([key, r]) => ({
      receiverId: r.id,
      name: r.name,
      hamletId: r.hamletId,
      ...sumAirings([totals.get(key)!]),
    }));
}

/**
 * Coverage per hamlet: its receivers' airings added up, so its rate is the boxes that aired ÷ the boxes
 * expected to; `scheduled` counts its occurrences. Every hamlet of `hamletIds` gets a row, sorted by id.
 * @example hamletCoverage(['un-ta'], [{ hamletId: 'un-ta', count: 1 }], sixBoxesThreeOffline)
 * // → [{ hamletId: 'un-ta', scheduled: 1, expected: 6, played: 3, offline: 3, rate: 0.5, … }]
 */
export function hamletCoverage(
  hamletIds: readonly string[],
  scheduled: readonly { readonly hamletId: string; readonly count: number }[],
  receivers: readonly ReceiverCoverage[],
): readonly HamletCoverage[] {
  return [...new Set(hamletIds)].sort(byString).map((hamletId) => ({
    hamletId,
    scheduled: scheduled.filter((s) => s.hamletId === hamletId).reduce((n, s) => n + s.count, 0),
    ...sumAirings(receivers.filter((r) => r.hamletId === hamletId)),
  }));
}
