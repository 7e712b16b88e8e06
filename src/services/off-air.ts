import type { Occurrence } from '../domain/broadcast.js';
import type { EventBus } from '../domain/ports/events.js';
import type { Repositories } from '../domain/ports/repositories.js';
import { LONGEST_ITEM_MS } from '../domain/schedule/index.js';

/** What taking content off the air changed, to be told to the receivers once the unit of work commits. */
export interface OffAir {
  /** Occurrences that had not started and are now cancelled. */
  readonly cancelled: number;
  /** The new schedule versions of the hamlets whose schedule changed. */
  readonly versions: Readonly<Record<string, number>>;
  /** Occurrences that may be on air now, or still start on a box running late: their boxes are told to stop. */
  readonly airing: readonly Occurrence[];
}

/**
 * How late a box still starts an item (the agent's tolerance in `planNext`: it just booted, or an emergency
 * held the item back). Until then an item whose own seconds are over may yet air, and `stop` keeps it off.
 */
const LATE_START_MS = 10 * 60_000;

/**
 * Takes an announcement off the air inside the caller's unit of work (a rejection, a withdrawal): its
 * occurrences that have not started are cancelled; those a box may still be playing or yet start late are
 * returned to be stopped, and leave the schedules; the hamlets' schedule versions are bumped for both, so
 * boxes drop them at their next poll.
 */
export async function takeOffAir(
  r: Pick<Repositories, 'broadcasts' | 'hamlets'>,
  announcementId: string,
  now: string,
): Promise<OffAir> {
  const cancelled = await r.broadcasts.cancelFutureOccurrences({ announcementId }, now);
  const airing = (
    await r.broadcasts.listRecentOccurrencesOf(announcementId, now, LATE_START_MS + LONGEST_ITEM_MS)
  ).filter((o) => Date.parse(o.startsAt) + LATE_START_MS + o.durationMs > Date.parse(now));
  // The hamlets of an airing that may still start change too: their schedules no longer carry it.
  const touched = [...new Set([...cancelled, ...airing].map((o) => o.hamletId))];
  const versions = await r.hamlets.bumpScheduleVersions(touched, now);
  return { cancelled: cancelled.length, versions, airing };
}

/** After the commit: the new schedule versions to every box of those hamlets, `stop` to those playing it. */
export function announceOffAir(bus: EventBus, off: OffAir): void {
  if (Object.keys(off.versions).length > 0) bus.publish({ type: 'schedule-changed', versions: off.versions });
  for (const o of off.airing) bus.publish({ type: 'stop', hamletIds: [o.hamletId], occurrenceId: o.id });
}
