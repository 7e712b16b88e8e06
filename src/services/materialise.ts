import type { NewOccurrence } from '../domain/broadcast.js';
import type { Repositories } from '../domain/ports/repositories.js';
import {
  formatLocalEn,
  formatLocalVi,
  iso,
  isoOnce,
  planOccurrences,
  suggestStart,
  type Booked,
  type CommuneRules,
  type Plan,
  type PlanRequest,
  type ScheduleError,
} from '../domain/schedule/index.js';
import { fromScheduleError } from './broadcast-request.js';

export interface Materialised {
  /** One plan per request, in order. */
  readonly plans: readonly Plan[];
  readonly added: number;
  /** Hamlets whose future schedule changed: something added, moved or pushed aside there. */
  readonly hamletsChanged: readonly string[];
}

/**
 * The one materialiser at work, for a person's booking and for the dispatcher's extension of series
 * alike: plans each broadcast's starts in turn over what is booked (the pure rules; each sees what the
 * ones before it placed), then writes the new occurrences, the slot moves and the cancellation of what
 * was pushed aside in a few statements, through the unit of work's repositories. `refuse` throws the
 * rule's refusal as the API's error (409 naming the clash, 422); `skip` leaves refused starts out and
 * reports them in the plans.
 */
export async function materialise(
  r: Pick<Repositories, 'broadcasts'>,
  batch: readonly { readonly request: PlanRequest; readonly rules: CommuneRules }[],
  booked: readonly Booked[],
  options: { readonly newId: () => string; readonly onRefusal: 'refuse' | 'skip'; readonly now: number },
): Promise<Materialised> {
  const byHamlet = new Map<string, Booked[]>();
  for (const item of booked) {
    const list = byHamlet.get(item.hamletId);
    if (list) list.push(item);
    else byHamlet.set(item.hamletId, [item]);
  }
  const stored = new Map(booked.filter((b) => !b.virtual).map((b) => [b.id, b]));
  const pending = new Map<string, NewOccurrence>();
  const moves = new Map<string, number>();
  const cancels = new Set<string>();
  const changed = new Set<string>();
  const plans: Plan[] = [];
  const text = isoOnce();

  for (const { request, rules } of batch) {
    const ids = request.hamlets.map((h) => h.id);
    const around = ids.flatMap((id) => byHamlet.get(id) ?? []);
    const planned = planOccurrences(request, rules, around, options);
    if (!planned.ok) throw refusal(planned, rules.timeZone, suggestionFor(request, planned, rules, around));
    const { plan } = planned;
    plans.push(plan);
    for (const id of ids) byHamlet.set(id, []);
    for (const item of plan.booked) byHamlet.get(item.hamletId)!.push(item);
    for (const o of plan.occurrences) {
      pending.set(o.id, {
        id: o.id,
        broadcastId: request.broadcastId,
        hamletId: o.hamletId,
        startsAt: text(o.startsAt),
        durationMs: o.durationMs,
        priority: request.priority,
        slotName: o.slotName,
      });
      changed.add(o.hamletId);
    }
    // What this plan moved or pushed aside may itself have been placed earlier in the batch.
    const after = new Map(plan.booked.map((b) => [b.id, b]));
    for (const item of around) {
      const now = after.get(item.id);
      if (item.virtual) continue;
      if (!now) {
        if (pending.delete(item.id) || stored.has(item.id)) cancels.add(item.id);
        changed.add(item.hamletId);
      } else if (now.startsAt !== item.startsAt) {
        const fresh = pending.get(item.id);
        if (fresh) pending.set(item.id, { ...fresh, startsAt: text(now.startsAt) });
        else moves.set(item.id, now.startsAt);
        changed.add(item.hamletId);
      }
    }
  }

  const at = iso(options.now);
  const added = await r.broadcasts.insertOccurrences([...pending.values()], at);
  await r.broadcasts.moveOccurrences(
    [...moves].map(([id, startsAt]) => ({ id, startsAt: iso(startsAt) })),
    at,
  );
  await r.broadcasts.cancelOccurrences(
    [...cancels].filter((id) => stored.has(id)),
    at,
  );
  return { plans, added, hamletsChanged: [...changed] };
}

type Refused = Extract<ReturnType<typeof planOccurrences>, { ok: false }>;

/**
 * For a person's exact-time booking refused by a clash or by quiet hours: the next free time that fits
 * on every target hamlet, over the same bookings the refusal was made with (a booking loads two days
 * beyond its own time for this). Series and slot items get none: their times are the rule's own.
 */
function suggestionFor(
  request: PlanRequest,
  planned: Refused,
  rules: CommuneRules,
  booked: readonly Booked[],
): number | null {
  const only = request.starts.length === 1 ? request.starts[0] : undefined;
  if (!only || only.slot || request.field !== 'at') return null;
  if (planned.error.code !== 'conflict' && planned.error.code !== 'quiet_hours') return null;
  return suggestStart(
    { startsAt: planned.startsAt, priority: request.priority, hamlets: request.hamlets },
    rules,
    booked,
  );
}

function refusal(planned: Refused, timeZone: string, suggestion: number | null) {
  const error: ScheduleError =
    suggestion === null
      ? planned.error
      : {
          ...planned.error,
          message: `${planned.error.message} Giờ trống gần nhất: ${formatLocalVi(suggestion, timeZone)}.`,
          messageEn: `${planned.error.messageEn} The next free time: ${formatLocalEn(suggestion, timeZone)}.`,
        };
  const { hamletId, conflicts } = planned;
  return fromScheduleError(error, {
    ...(suggestion !== null && { suggestion: { at: iso(suggestion) } }),
    ...(error.code === 'conflict'
      ? {
          conflicts: conflicts.map((b) => ({
            id: b.virtual ? null : b.id,
            broadcastId: b.broadcastId,
            hamletId: b.hamletId,
            startsAt: iso(b.startsAt),
            endsAt: iso(b.startsAt + b.durationMs),
            priority: b.priority,
            title: b.title,
          })),
        }
      : { hamletId }),
  });
}
