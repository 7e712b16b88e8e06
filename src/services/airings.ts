import type { RequestContext } from '../domain/actor.js';
import type { Broadcast, Occurrence, Skip, SkipRequest } from '../domain/broadcast.js';
import { LoaError, invalid, notFound } from '../domain/errors.js';
import { assertAllowed } from '../domain/policy.js';
import type { Repositories } from '../domain/ports/repositories.js';
import {
  communeRules,
  formatLocalEn,
  formatLocalVi,
  isSeries,
  iso,
  localToUtc,
  startsOf,
  utcToLocal,
  type CommuneRules,
  type Start,
} from '../domain/schedule/index.js';
import { parseInstant } from './broadcast-request.js';
import type { SchedulingDeps } from './series.js';

/** What cancelling one airing did: occurrences cancelled, and airings not stored yet left out. */
export interface AiringCancelled {
  readonly cancelledOccurrences: number;
  readonly skipped: number;
}

type Tx = Parameters<Parameters<SchedulingDeps['tx']>[0]>[0];

/** A broadcast of the caller's commune that the caller may cancel (the same right as cancelling it whole). */
async function cancellable(r: Tx, ctx: RequestContext, id: string): Promise<Broadcast> {
  const row = await r.broadcasts.findBroadcast(id);
  if (!row || row.communeId !== ctx.actor.communeId) throw notFound('Broadcast', id, 'lịch phát');
  assertAllowed(
    ctx.actor,
    row.priority === 'emergency' ? 'broadcast.emergency' : 'broadcast.schedule',
    row.hamletIds,
  );
  return row;
}

const notLive = (o: Occurrence, now: number, timeZone: string): LoaError =>
  new LoaError(
    409,
    'occurrence_not_cancellable',
    `The airing at ${formatLocalEn(Date.parse(o.startsAt), timeZone)} has started, passed or is cancelled (${o.status}).`,
    `Buổi phát lúc ${formatLocalVi(Date.parse(o.startsAt), timeZone)} đã bắt đầu, đã qua hoặc đã hủy, không hủy được nữa.`,
    { occurrenceStatus: o.status },
  );

/** Whether a stored occurrence is the airing a series' rule gave at `start` (packed later in its slot). */
function isAiring(o: Occurrence, start: Start, rules: CommuneRules): boolean {
  const at = Date.parse(o.startsAt);
  if (!start.slot) return at === start.startsAt && o.slotName === null;
  const slot = rules.slots.find((s) => s.name === start.slot);
  if (!slot || o.slotName !== slot.name) return false;
  const end = localToUtc(utcToLocal(start.startsAt, rules.timeZone).date, slot.end, rules.timeZone);
  return at >= start.startsAt && at < end;
}

/**
 * Cancelling one airing of a broadcast ("chỉ buổi này") instead of the whole series: a stored
 * occurrence by its id, or any airing of a series by the start its rule gives it — cancelled when it is
 * stored, else kept in the broadcast's skip list, which the materialiser leaves out when the dispatcher
 * extends the series. Each is one unit of work under the hamlets' schedule lock, with the schedule
 * versions bumped and an audit row.
 */
export function createAiringCancellation(deps: SchedulingDeps) {
  const { clock, tx } = deps;

  async function bump(r: Tx, hamletIds: readonly string[]) {
    return r.hamlets.bumpScheduleVersions(hamletIds, clock.now().toISOString());
  }

  async function rulesOf(r: Pick<Repositories, 'communes'>, communeId: string): Promise<CommuneRules> {
    const commune = await r.communes.findCommune(communeId);
    if (!commune) throw notFound('Commune', communeId, 'xã');
    return communeRules(commune);
  }

  const publish = (versions: Readonly<Record<string, number>>) => {
    if (Object.keys(versions).length > 0) deps.bus.publish({ type: 'schedule-changed', versions });
  };

  return {
    /** Cancels one stored occurrence of a broadcast that has not started; the others stay. */
    async cancelOccurrence(
      ctx: RequestContext,
      broadcastId: string,
      occurrenceId: string,
    ): Promise<AiringCancelled> {
      const versions = await tx(async (r) => {
        const row = await cancellable(r, ctx, broadcastId);
        await r.hamlets.lockSchedules(row.hamletIds);
        const now = clock.now().getTime();
        const occurrence = (await r.broadcasts.listOccurrencesOf([broadcastId])).find(
          (o) => o.id === occurrenceId,
        );
        if (!occurrence) throw notFound('Occurrence', occurrenceId, 'buổi phát');
        const rules = await rulesOf(r, row.communeId);
        if (occurrence.status === 'cancelled' || Date.parse(occurrence.startsAt) <= now)
          throw notLive(occurrence, now, rules.timeZone);
        await r.broadcasts.cancelOccurrences([occurrenceId], iso(now));
        await deps.audit.record(r, {
          ...ctx,
          action: 'broadcast.occurrence_cancel',
          targetType: 'broadcast',
          targetId: broadcastId,
          details: { occurrenceId, hamletId: occurrence.hamletId, at: occurrence.startsAt },
        });
        return bump(r, [occurrence.hamletId]);
      });
      publish(versions);
      return { cancelledOccurrences: 1, skipped: 0 };
    },

    /**
     * Leaves out one airing of a series, named by the start its rule gives it (the cron run, or the
     * slot's opening on that day), on `hamletIds` (default: all its hamlets): stored ones are cancelled,
     * later ones join the skip list.
     */
    async skipAiring(ctx: RequestContext, broadcastId: string, req: SkipRequest): Promise<AiringCancelled> {
      const at = parseInstant(req.at, 'at');
      const done = await tx(async (r) => {
        await r.hamlets.lockSchedules((await cancellable(r, ctx, broadcastId)).hamletIds);
        // Read under the lock: the skip list is written back whole, so a skip of this series committed
        // meanwhile must be in it; so must the horizon a dispatcher tick moved meanwhile.
        const row = await cancellable(r, ctx, broadcastId);
        const rules = await rulesOf(r, row.communeId);
        const tz = rules.timeZone;
        if (!isSeries(row.schedule)) {
          throw invalid(
            'at',
            'This broadcast is not a series; cancel it with DELETE /api/v1/broadcasts/{id}.',
            'Lịch phát này không lặp lại; hãy hủy cả lịch phát.',
          );
        }
        if (row.cancelledAt) {
          throw new LoaError(409, 'broadcast_cancelled', 'The series is cancelled.', 'Chuỗi này đã bị hủy.');
        }
        const hamletIds = [...new Set(req.hamletIds ?? row.hamletIds)];
        const foreign = hamletIds.filter((h) => !row.hamletIds.includes(h));
        if (foreign.length > 0) {
          throw invalid(
            'hamletIds',
            `The series does not air in ${foreign.join(', ')}.`,
            `Chuỗi này không phát ở thôn ${foreign.join(', ')}.`,
          );
        }
        const now = clock.now().getTime();
        const start = startsOf(row.schedule, row.priority, rules, { from: at, to: at + 1 });
        const airing = start.ok ? start.value.find((s) => s.startsAt === at) : undefined;
        if (!airing) {
          throw invalid(
            'at',
            `The series has no airing at ${formatLocalEn(at, tz)}: give the time its rule gives it (the cron run, or the slot's opening).`,
            `Chuỗi này không có buổi phát lúc ${formatLocalVi(at, tz)}. Hãy chọn đúng giờ của một buổi phát (giờ lặp, hoặc giờ mở khung giờ).`,
          );
        }
        if (at <= now) {
          throw invalid(
            'at',
            `${formatLocalEn(at, tz)} is past.`,
            `Buổi phát lúc ${formatLocalVi(at, tz)} đã qua.`,
          );
        }
        const stored = (await r.broadcasts.listOccurrencesOf([broadcastId])).filter(
          (o) => hamletIds.includes(o.hamletId) && isAiring(o, airing, rules),
        );
        const live = stored.filter((o) => o.status !== 'cancelled' && Date.parse(o.startsAt) > now);
        const materialised = row.materialisedUntil !== null && at < Date.parse(row.materialisedUntil);
        // Stored airings are cancelled; beyond the horizon the skip list keeps the dispatcher from them.
        const skips: Skip[] = materialised
          ? []
          : hamletIds
              .filter((h) => !stored.some((o) => o.hamletId === h))
              .filter((h) => !row.skips.some((k) => k.hamletId === h && Date.parse(k.at) === at))
              .map((hamletId) => ({ hamletId, at: iso(at) }));
        await r.broadcasts.cancelOccurrences(
          live.map((o) => o.id),
          iso(now),
        );
        if (skips.length > 0) await r.broadcasts.setSkips(broadcastId, [...row.skips, ...skips]);
        await deps.audit.record(r, {
          ...ctx,
          action: 'broadcast.airing_skip',
          targetType: 'broadcast',
          targetId: broadcastId,
          details: { at: iso(at), hamletIds, cancelled: live.map((o) => o.id), skipped: skips.length },
        });
        const touched = [...new Set([...live.map((o) => o.hamletId), ...skips.map((k) => k.hamletId)])];
        return { versions: await bump(r, touched), cancelled: live.length, skipped: skips.length };
      });
      publish(done.versions);
      return { cancelledOccurrences: done.cancelled, skipped: done.skipped };
    },
  };
}
