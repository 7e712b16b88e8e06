import type { ManifestItem } from '../domain/receiver/protocol.js';

/** Identifies one manifest item: an occurrence and which language part of it. */
export const itemKey = (item: Pick<ManifestItem, 'occurrenceId' | 'part'>): string =>
  `${item.occurrenceId}#${item.part}`;

export type Decision =
  | { readonly kind: 'play'; readonly item: ManifestItem }
  | { readonly kind: 'wait'; readonly until: number; readonly item: ManifestItem }
  | { readonly kind: 'idle' };

export interface Plan {
  /** Items whose time passed without them playing here: report them skipped, never play them. */
  readonly skip: readonly ManifestItem[];
  readonly next: Decision;
  /** When the first item not yet due comes due, whatever is due now. */
  readonly wakeAt?: number;
}

/**
 * What to do at `now` with the items not yet handled. An item plays when its time has come, up to
 * `lateToleranceMs` late (a box that just booted, or an item held back by an emergency); a relay may be
 * joined until its end, because it is a live stream. Emergencies go first among due items.
 * @example planNext([{ at: '…06:00Z', … }], () => false, Date.parse('…05:59Z'), 600000)
 * // → { skip: [], next: { kind: 'wait', until: Date.parse('…06:00Z'), item } }
 */
export function planNext(
  items: readonly ManifestItem[],
  isDone: (key: string) => boolean,
  now: number,
  lateToleranceMs: number,
): Plan {
  const skip: ManifestItem[] = [];
  const due: ManifestItem[] = [];
  let wait: { until: number; item: ManifestItem } | undefined;
  for (const item of items) {
    if (isDone(itemKey(item))) continue;
    const at = Date.parse(item.at);
    const lastStart = item.kind === 'relay' ? at + item.durationMs - 1000 : at + lateToleranceMs;
    if (now > lastStart) skip.push(item);
    else if (at <= now) due.push(item);
    else if (!wait || at < wait.until) wait = { until: at, item };
  }
  const rank = (i: ManifestItem) => (i.priority === 'emergency' ? 0 : 1);
  due.sort((a, b) => rank(a) - rank(b) || Date.parse(a.at) - Date.parse(b.at) || a.part - b.part);
  const first = due[0];
  return {
    skip,
    next: first ? { kind: 'play', item: first } : wait ? { kind: 'wait', ...wait } : { kind: 'idle' },
    ...(wait && { wakeAt: wait.until }),
  };
}

/** Whether `candidate`, now due, should stop what is playing: only an emergency stops a non-emergency. */
export const preempts = (candidate: ManifestItem, playing: ManifestItem): boolean =>
  candidate.priority === 'emergency' && playing.priority !== 'emergency';
