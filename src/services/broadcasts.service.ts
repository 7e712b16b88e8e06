import type { AnnouncementsRepository } from '../db/repositories/announcements.repository.js';
import type { BookedOccurrence, BroadcastRow, BroadcastsRepository, NewOccurrence } from '../db/repositories/broadcasts.repository.js';
import type { CommunesRepository } from '../db/repositories/communes.repository.js';
import type { HamletRow, HamletsRepository } from '../db/repositories/hamlets.repository.js';
import type { Page, PageRequest } from '../db/repositories/page.js';
import type { Commune } from '../domain/commune.js';
import { LoaError, invalid, notFound } from '../domain/errors.js';
import { assertAllowed, isAllowed } from '../domain/policy.js';
import { relayUrlProblem } from '../domain/relay-url.js';
import {
  checkConflicts,
  checkQuietHours,
  checkSlotFits,
  emergencyRepeatFromRules,
  expandEmergency,
  expandWhen,
  formatLocalVi,
  localToUtc,
  packSlot,
  utcToLocal,
  type CommuneRules,
  type EmergencyRepeat,
  type Priority,
  type ScheduleError,
  type Slot,
  type When,
} from '../domain/schedule/index.js';
import { airTimeMs, communeRules, iso, type BroadcastContent } from '../scheduler/plan.js';
import type { AuditTrail } from './audit.service.js';
import type { RequestContext } from './context.js';
import type { EventBus } from './events.js';
import type { Clock, IdGenerator } from './ports.js';

interface Deps {
  readonly broadcasts: BroadcastsRepository;
  readonly announcements: AnnouncementsRepository;
  readonly hamlets: HamletsRepository;
  readonly communes: CommunesRepository;
  readonly audit: AuditTrail;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Occurrences are materialised this far ahead; the dispatcher keeps it rolling. */
  readonly horizonMs: number;
}

export interface BroadcastRequest {
  readonly announcementId?: string | undefined;
  readonly relay?: { readonly url: string; readonly durationS: number } | undefined;
  readonly hamletIds: readonly string[] | 'all';
  readonly at?: string | undefined;
  readonly slot?: { readonly name: string; readonly date: string } | undefined;
  readonly recurrence?: { readonly cron: string; readonly from: string; readonly until?: string | undefined; readonly count?: number | undefined } | undefined;
  readonly priority: Priority;
  /** Emergency only: N times M minutes apart (default from the commune), or every H hours on the hour. */
  readonly repeat?: { readonly count: number; readonly intervalMin: number } | { readonly everyHours: number } | undefined;
}

export interface ScheduledOccurrence {
  readonly id: string;
  readonly hamletId: string;
  readonly at: string;
  readonly durationMs: number;
  readonly slot: string | null;
}

export interface BroadcastView extends BroadcastRow {
  readonly occurrences: readonly BookedOccurrence[];
}

// Long items (a 90-minute recording) still overlap a new one that starts inside them.
const longestItemMs = 3 * 3_600_000;
const statusOf: Record<ScheduleError['code'], 409 | 422> = {
  conflict: 409,
  invalid_cron: 422,
  cron_too_frequent: 422,
  cron_never_fires: 422,
  until_before_from: 422,
  count_and_until: 422,
  invalid_count: 422,
  no_occurrences: 422,
  unknown_slot: 422,
  invalid_date: 422,
  invalid_time: 422,
  quiet_hours: 422,
  slot_overflow: 422,
  past: 422,
};

/** A scheduling rule's refusal as the API's error, keeping the rule's field and details. */
function fromScheduleError(error: ScheduleError, extra: Record<string, unknown> = {}): LoaError {
  return new LoaError(statusOf[error.code], error.code, error.messageEn, error.message, {
    errors: [{ field: error.field, message: error.messageEn, messageVi: error.message }],
    ...(error.details && { details: error.details }),
    ...extra,
  });
}

function parseInstant(value: string, field: string): number {
  const ms = Date.parse(value);
  // `Date` rolls 2026-02-30 over into March; a date that does not exist must be refused instead.
  const day = value.slice(0, 10);
  const [y, m, d] = day.split('-').map(Number);
  const valid = new Date(Date.UTC(y!, m! - 1, d!));
  if (Number.isNaN(ms) || valid.getUTCMonth() !== m! - 1 || valid.getUTCDate() !== d) {
    throw invalid(field, `${value} is not a real date and time.`, `Thời điểm ${value} không tồn tại. Hãy kiểm tra ngày tháng.`);
  }
  return ms;
}

export function createBroadcastsService(deps: Deps) {
  const { broadcasts, clock } = deps;

  async function loadCommune(communeId: string): Promise<Commune> {
    const commune = await deps.communes.findCommune(communeId);
    if (!commune) throw notFound('Commune', communeId, 'xã');
    return commune;
  }

  async function targetHamlets(ctx: RequestContext, requested: BroadcastRequest['hamletIds']): Promise<readonly HamletRow[]> {
    if (requested === 'all') {
      assertAllowed(ctx.actor, 'broadcast.schedule', 'commune');
      return deps.hamlets.listCommuneHamlets(ctx.actor.communeId);
    }
    const ids = [...new Set(requested)];
    if (ids.length === 0) {
      throw invalid('hamletIds', 'Choose at least one hamlet.', 'Hãy chọn ít nhất một thôn.');
    }
    const found = await Promise.all(ids.map((id) => deps.hamlets.findHamlet(id)));
    const missing = ids.filter((id, i) => !found[i] || found[i]!.communeId !== ctx.actor.communeId);
    if (missing.length > 0) {
      throw invalid('hamletIds', `Unknown hamlet(s): ${missing.join(', ')}.`, `Không tìm thấy thôn: ${missing.join(', ')}.`);
    }
    assertAllowed(ctx.actor, 'broadcast.schedule', ids);
    return found as HamletRow[];
  }

  async function content(ctx: RequestContext, req: BroadcastRequest, commune: Commune): Promise<BroadcastContent> {
    if ((req.announcementId === undefined) === (req.relay === undefined)) {
      throw invalid('announcementId', 'Give either announcementId or relay.', 'Hãy chọn một thông báo hoặc một nguồn tiếp sóng (chỉ một trong hai).');
    }
    if (req.relay) {
      const problem = relayUrlProblem(req.relay.url);
      if (problem) throw invalid('relay.url', `The relay URL ${problem.en}.`, `Địa chỉ tiếp sóng ${problem.vi}.`);
      return { kind: 'relay', url: req.relay.url, durationS: req.relay.durationS };
    }
    const announcement = await deps.announcements.findAnnouncement(req.announcementId!);
    if (!announcement || announcement.communeId !== ctx.actor.communeId || !isAllowed(ctx.actor, 'announcement.read', [announcement.hamletId])) {
      throw invalid('announcementId', `Announcement ${req.announcementId} does not exist.`, 'Không tìm thấy thông báo này.');
    }
    if (announcement.status !== 'ready') {
      throw invalid(
        'announcementId',
        `"${announcement.title}" is not ready to air yet (processing status: ${announcement.status}).`,
        `Thông báo "${announcement.title}" chưa xử lý xong âm thanh (trạng thái: ${announcement.status}), chưa thể xếp lịch.`,
      );
    }
    if (commune.settings.approvalRequired && announcement.approval !== 'approved') {
      throw invalid(
        'announcementId',
        `"${announcement.title}" has not been approved by the commune office.`,
        `Thông báo "${announcement.title}" chưa được văn phòng xã duyệt, chưa thể xếp lịch.`,
      );
    }
    return { kind: 'announcement', announcement };
  }

  function emergencyRepeat(req: BroadcastRequest, rules: CommuneRules): EmergencyRepeat {
    if (!req.repeat) return emergencyRepeatFromRules(rules);
    if ('everyHours' in req.repeat) return { kind: 'every-hours-on-the-hour', hours: req.repeat.everyHours };
    return { kind: 'times', count: req.repeat.count, intervalMin: req.repeat.intervalMin };
  }

  /** The `when` of a request as the pure rules take it, or the emergency repeat. */
  function whenOf(req: BroadcastRequest, now: number): { when: When | null; storedSchedule: Record<string, unknown> } {
    const given = [req.at !== undefined, req.slot !== undefined, req.recurrence !== undefined].filter(Boolean).length;
    if (given > 1 || (given === 0 && req.priority !== 'emergency')) {
      throw invalid('at', 'Give exactly one of at, slot or recurrence.', 'Hãy chọn đúng một cách hẹn giờ: giờ cụ thể, khung giờ hoặc lặp lại.');
    }
    if (req.repeat && req.priority !== 'emergency') {
      throw invalid('repeat', 'Only emergencies repeat this way; use recurrence.', 'Chỉ tin khẩn cấp mới lặp theo cách này; hãy dùng "lặp lại".');
    }
    if (req.priority === 'emergency' && (req.slot || req.recurrence)) {
      throw invalid('priority', 'An emergency airs at a time (default: now), not in a slot or recurrence.', 'Tin khẩn cấp phát ngay hoặc vào một giờ cụ thể, không xếp vào khung giờ.');
    }
    if (req.at !== undefined || req.priority === 'emergency') {
      const at = req.at !== undefined ? parseInstant(req.at, 'at') : now;
      return { when: { kind: 'at', at }, storedSchedule: { at: iso(at), ...(req.repeat && { repeat: req.repeat }) } };
    }
    if (req.slot) return { when: { kind: 'slot', ...req.slot }, storedSchedule: { slot: req.slot } };
    const r = req.recurrence!;
    const from = parseInstant(r.from, 'recurrence.from');
    const until = r.until === undefined ? undefined : parseInstant(r.until, 'recurrence.until');
    return {
      when: { kind: 'recurrence', cron: r.cron, from, ...(until !== undefined && { until }), ...(r.count !== undefined && { count: r.count }) },
      storedSchedule: { recurrence: r },
    };
  }

  async function view(rows: readonly BroadcastRow[], visible: 'all' | readonly string[]): Promise<BroadcastView[]> {
    const occurrences = await broadcasts.listOccurrencesOf(rows.map((r) => r.id));
    return rows.map((row) => ({
      ...row,
      occurrences: occurrences.filter((o) => o.broadcastId === row.id && (visible === 'all' || visible.includes(o.hamletId))),
    }));
  }

  async function publishVersions(hamletIds: readonly string[]): Promise<void> {
    const now = clock.now().toISOString();
    await deps.hamlets.bumpScheduleVersion(hamletIds, now);
    deps.bus.publish({ type: 'schedule-changed', versions: await deps.hamlets.findScheduleVersions(hamletIds) });
  }

  return {
    /**
     * Schedules a broadcast: checks scope, content, quiet hours, slot air time and conflicts on every target
     * hamlet, then stores the broadcast and its occurrences at once, or nothing.
     */
    async schedule(ctx: RequestContext, req: BroadcastRequest) {
      assertAllowed(ctx.actor, 'broadcast.schedule');
      if (req.priority === 'emergency') assertAllowed(ctx.actor, 'broadcast.emergency');
      const now = clock.now().getTime();
      const commune = await loadCommune(ctx.actor.communeId);
      const rules = communeRules(commune);
      const hamlets = await targetHamlets(ctx, req.hamletIds);
      const what = await content(ctx, req, commune);
      const { when, storedSchedule } = whenOf(req, now);
      const horizon = now + deps.horizonMs;

      let starts: readonly { startsAt: number; slot?: string }[];
      let materialisedUntil: number | null = null;
      if (req.priority === 'emergency') {
        const at = (when as Extract<When, { kind: 'at' }>).at;
        if (at < now - 60_000) {
          throw invalid('at', 'An emergency cannot start in the past.', `Thời điểm ${formatLocalVi(at, rules.timeZone)} đã qua.`);
        }
        const repeat = emergencyRepeat(req, rules);
        starts = expandEmergency(at, repeat, { from: at, to: horizon }, { timeZone: rules.timeZone }).map((t) => ({ startsAt: t }));
        if (repeat.kind === 'every-hours-on-the-hour') materialisedUntil = horizon;
      } else {
        const endless = when!.kind !== 'recurrence';
        const window = { from: now, to: endless ? Number.MAX_SAFE_INTEGER : horizon };
        const expanded = expandWhen(when!, rules, window, { now, priority: req.priority });
        if (!expanded.ok) throw fromScheduleError(expanded.error);
        starts = expanded.value;
        if (!endless) materialisedUntil = horizon;
      }

      const broadcastId = deps.ids.id();
      const occurrences: NewOccurrence[] = [];
      const moves: { id: string; startsAt: string }[] = [];
      const displaced: BookedOccurrence[] = [];
      for (const hamlet of hamlets) {
        const durationMs = airTimeMs(what, hamlet);
        if (durationMs <= 0) {
          throw invalid(
            'hamletIds',
            `${hamlet.name} plays ${hamlet.languages.join(', ')}, and this announcement has no ready recording in those languages.`,
            `${hamlet.name} phát bằng ${hamlet.languages.join(', ')}, nhưng thông báo này chưa có bản ghi âm bằng các tiếng đó.`,
          );
        }
        for (const start of starts) {
          const id = deps.ids.id();
          let startsAt = start.startsAt;
          if (start.slot) {
            const slot = rules.slots.find((s) => s.name === start.slot) as Slot;
            const local = utcToLocal(start.startsAt, rules.timeZone);
            const slotEnd = localToUtc(local.date, slot.end, rules.timeZone);
            const items = await broadcasts.listSlotItems(hamlet.id, slot.name, iso(start.startsAt), iso(slotEnd));
            const fits = checkSlotFits(items, { durationMs }, slot);
            if (!fits.ok) throw fromScheduleError(fits.error, { hamletId: hamlet.id });
            const packing = packSlot(
              [
                ...items.map((i) => ({ id: i.id, priority: i.priority, createdAt: Date.parse(i.createdAt), durationMs: i.durationMs })),
                // Created after everything already in the slot, even within the same millisecond.
                { id, priority: req.priority, createdAt: Math.max(now, ...items.map((i) => Date.parse(i.createdAt) + 1)), durationMs },
              ],
              slot,
              start.startsAt,
            );
            for (const placed of packing.placed) {
              if (placed.id === id) startsAt = placed.startsAt;
              else if (items.find((i) => i.id === placed.id)?.startsAt !== iso(placed.startsAt)) {
                moves.push({ id: placed.id, startsAt: iso(placed.startsAt) });
              }
            }
          } else {
            const quiet = checkQuietHours(startsAt, durationMs, req.priority, rules, req.recurrence ? 'recurrence.cron' : 'at');
            if (!quiet.ok) throw fromScheduleError(quiet.error, { hamletId: hamlet.id });
            const booked = await broadcasts.listBookedBetween([hamlet.id], iso(startsAt), iso(startsAt + durationMs), longestItemMs);
            const clash = checkConflicts(
              booked.map((b) => ({ ...b, startsAt: Date.parse(b.startsAt) })),
              { hamletId: hamlet.id, startsAt, durationMs, priority: req.priority },
              rules.timeZone,
              req.recurrence ? 'recurrence' : 'at',
            );
            if (!clash.ok) {
              const ids = new Set(clash.error.code === 'conflict' ? clash.error.details?.conflictIds : []);
              throw fromScheduleError(clash.error, {
                conflicts: booked
                  .filter((b) => ids.has(b.id))
                  .map((b) => ({
                    id: b.id,
                    broadcastId: b.broadcastId,
                    hamletId: b.hamletId,
                    startsAt: b.startsAt,
                    endsAt: iso(Date.parse(b.startsAt) + b.durationMs),
                    priority: b.priority,
                    title: b.title,
                  })),
              });
            }
            displaced.push(...booked.filter((b) => clash.value.displaced.some((d) => d.id === b.id)));
          }
          occurrences.push({ id, broadcastId, hamletId: hamlet.id, startsAt: iso(startsAt), durationMs, priority: req.priority, slotName: start.slot ?? null });
        }
      }

      const created = clock.now().toISOString();
      await broadcasts.insertBroadcast(
        {
          id: broadcastId,
          communeId: ctx.actor.communeId,
          announcementId: what.kind === 'announcement' ? what.announcement.id : null,
          relay: what.kind === 'relay' ? { url: what.url, durationS: what.durationS } : null,
          hamletIds: hamlets.map((h) => h.id),
          schedule: storedSchedule,
          priority: req.priority,
          createdBy: ctx.actor.id,
          createdAt: created,
          materialisedUntil: materialisedUntil === null ? null : iso(materialisedUntil),
        },
        occurrences,
        moves,
        displaced.map((d) => d.id),
        created,
      );
      await deps.audit.record({
        ...ctx,
        action: 'broadcast.create',
        targetType: 'broadcast',
        targetId: broadcastId,
        details: { priority: req.priority, hamletIds: hamlets.map((h) => h.id), occurrences: occurrences.length, displaced: displaced.map((d) => d.id) },
      });
      await publishVersions([...new Set([...hamlets.map((h) => h.id), ...displaced.map((d) => d.hamletId)])]);
      if (req.priority === 'emergency') {
        for (const o of occurrences) {
          // Pushed at once when due now; later repeats reach receivers through their manifest.
          if (Date.parse(o.startsAt) <= now + 60_000) deps.bus.publish({ type: 'emergency', hamletId: o.hamletId, occurrenceId: o.id });
        }
      }
      return {
        id: broadcastId,
        occurrences: occurrences.map((o) => ({ id: o.id, hamletId: o.hamletId, at: o.startsAt, durationMs: o.durationMs, slot: o.slotName })),
        displaced: displaced.map((d) => ({ id: d.id, hamletId: d.hamletId, at: d.startsAt, title: d.title })),
      };
    },

    async list(
      ctx: RequestContext,
      filter: PageRequest & { hamletId?: string | undefined; from?: string | undefined; to?: string | undefined },
    ): Promise<Page<BroadcastView>> {
      assertAllowed(ctx.actor, 'broadcast.read', filter.hamletId ? [filter.hamletId] : undefined);
      const scope = ctx.actor.hamletIds;
      const hamletIds = filter.hamletId ? [filter.hamletId] : scope === 'all' ? undefined : scope;
      const page = await broadcasts.listBroadcasts(ctx.actor.communeId, { ...filter, hamletIds });
      return { items: await view(page.items, scope), nextCursor: page.nextCursor };
    },

    async get(ctx: RequestContext, id: string): Promise<BroadcastView> {
      const row = await broadcasts.findBroadcast(id);
      if (!row || row.communeId !== ctx.actor.communeId) throw notFound('Broadcast', id, 'lịch phát');
      const scope = ctx.actor.hamletIds;
      if (scope !== 'all' && !row.hamletIds.some((h) => scope.includes(h))) assertAllowed(ctx.actor, 'broadcast.read', row.hamletIds);
      return (await view([row], scope))[0]!;
    },

    /** Cancels what has not started yet; past occurrences stay for the record. */
    async cancel(ctx: RequestContext, id: string): Promise<{ cancelledOccurrences: number }> {
      const row = await broadcasts.findBroadcast(id);
      if (!row || row.communeId !== ctx.actor.communeId) throw notFound('Broadcast', id, 'lịch phát');
      assertAllowed(ctx.actor, row.priority === 'emergency' ? 'broadcast.emergency' : 'broadcast.schedule', row.hamletIds);
      if (row.cancelledAt) return { cancelledOccurrences: 0 };
      const now = clock.now();
      const before = (await broadcasts.listOccurrencesOf([id])).filter((o) => o.status === 'scheduled' && o.startsAt > now.toISOString());
      const touched = await broadcasts.cancelBroadcast(id, ctx.actor.id, now.toISOString());
      await deps.audit.record({ ...ctx, action: 'broadcast.cancel', targetType: 'broadcast', targetId: id, details: { occurrences: before.length } });
      if (touched.length > 0) await publishVersions(touched);
      if (row.priority === 'emergency') {
        for (const hamletId of row.hamletIds) deps.bus.publish({ type: 'stop', hamletId, occurrenceId: null });
      }
      return { cancelledOccurrences: before.length };
    },
  };
}

export type BroadcastsService = ReturnType<typeof createBroadcastsService>;
