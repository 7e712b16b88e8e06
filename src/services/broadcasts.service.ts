import type { AnnouncementsRepository } from '../db/repositories/announcements.repository.js';
import type {
  BookedOccurrence,
  BroadcastRow,
  BroadcastsRepository,
  NewOccurrence,
} from '../db/repositories/broadcasts.repository.js';
import type { CommunesRepository } from '../db/repositories/communes.repository.js';
import type { HamletRow, HamletsRepository } from '../db/repositories/hamlets.repository.js';
import type { Page, PageRequest } from '../db/repositories/page.js';
import type { Commune } from '../domain/commune.js';
import { invalid, notFound } from '../domain/errors.js';
import { assertAllowed, isAllowed } from '../domain/policy.js';
import { relayUrlProblem } from '../domain/relay-url.js';
import { expandEmergency, expandWhen, formatLocalVi, type When } from '../domain/schedule/index.js';
import { airTimeMs, communeRules, iso, type BroadcastContent } from '../domain/schedule/content.js';
import type { AuditTrail } from './audit.service.js';
import { placeAtTime, placeInSlot } from './broadcast-placement.js';
import { emergencyRepeat, fromScheduleError, whenOf, type BroadcastRequest } from './broadcast-request.js';
import type { RequestContext } from '../domain/context.js';
import type { EventBus } from '../domain/events.js';
import type { Clock, IdGenerator } from '../domain/ports.js';

export type { BroadcastRequest };

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

export function createBroadcastsService(deps: Deps) {
  const { broadcasts, clock } = deps;

  async function loadCommune(communeId: string): Promise<Commune> {
    const commune = await deps.communes.findCommune(communeId);
    if (!commune) throw notFound('Commune', communeId, 'xã');
    return commune;
  }

  async function targetHamlets(
    ctx: RequestContext,
    requested: BroadcastRequest['hamletIds'],
  ): Promise<readonly HamletRow[]> {
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
      throw invalid(
        'hamletIds',
        `Unknown hamlet(s): ${missing.join(', ')}.`,
        `Không tìm thấy thôn: ${missing.join(', ')}.`,
      );
    }
    assertAllowed(ctx.actor, 'broadcast.schedule', ids);
    return found as HamletRow[];
  }

  async function content(
    ctx: RequestContext,
    req: BroadcastRequest,
    commune: Commune,
  ): Promise<BroadcastContent> {
    if ((req.announcementId === undefined) === (req.relay === undefined)) {
      throw invalid(
        'announcementId',
        'Give either announcementId or relay.',
        'Hãy chọn một thông báo hoặc một nguồn tiếp sóng (chỉ một trong hai).',
      );
    }
    if (req.relay) {
      const problem = relayUrlProblem(req.relay.url);
      if (problem)
        throw invalid('relay.url', `The relay URL ${problem.en}.`, `Địa chỉ tiếp sóng ${problem.vi}.`);
      return { kind: 'relay', url: req.relay.url, durationS: req.relay.durationS };
    }
    const announcement = await deps.announcements.findAnnouncement(req.announcementId!);
    if (
      !announcement ||
      announcement.communeId !== ctx.actor.communeId ||
      !isAllowed(ctx.actor, 'announcement.read', [announcement.hamletId])
    ) {
      throw invalid(
        'announcementId',
        `Announcement ${req.announcementId} does not exist.`,
        'Không tìm thấy thông báo này.',
      );
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

  async function view(
    rows: readonly BroadcastRow[],
    visible: 'all' | readonly string[],
  ): Promise<BroadcastView[]> {
    const occurrences = await broadcasts.listOccurrencesOf(rows.map((r) => r.id));
    return rows.map((row) => ({
      ...row,
      occurrences: occurrences.filter(
        (o) => o.broadcastId === row.id && (visible === 'all' || visible.includes(o.hamletId)),
      ),
    }));
  }

  async function publishVersions(hamletIds: readonly string[]): Promise<void> {
    const now = clock.now().toISOString();
    await deps.hamlets.bumpScheduleVersion(hamletIds, now);
    deps.bus.publish({
      type: 'schedule-changed',
      versions: await deps.hamlets.findScheduleVersions(hamletIds),
    });
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
          throw invalid(
            'at',
            'An emergency cannot start in the past.',
            `Thời điểm ${formatLocalVi(at, rules.timeZone)} đã qua.`,
          );
        }
        const repeat = emergencyRepeat(req, rules);
        starts = expandEmergency(at, repeat, { from: at, to: horizon }, { timeZone: rules.timeZone }).map(
          (t) => ({ startsAt: t }),
        );
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
            const placed = await placeInSlot(broadcasts, rules, hamlet.id, start.startsAt, start.slot, {
              id,
              priority: req.priority,
              createdAt: now,
              durationMs,
            });
            startsAt = placed.startsAt;
            moves.push(...placed.moves);
          } else {
            const field = req.recurrence ? 'recurrence' : 'at';
            displaced.push(
              ...(await placeAtTime(
                broadcasts,
                rules,
                { hamletId: hamlet.id, startsAt, durationMs, priority: req.priority },
                field,
              )),
            );
          }
          occurrences.push({
            id,
            broadcastId,
            hamletId: hamlet.id,
            startsAt: iso(startsAt),
            durationMs,
            priority: req.priority,
            slotName: start.slot ?? null,
          });
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
        details: {
          priority: req.priority,
          hamletIds: hamlets.map((h) => h.id),
          occurrences: occurrences.length,
          displaced: displaced.map((d) => d.id),
        },
      });
      await publishVersions([...new Set([...hamlets.map((h) => h.id), ...displaced.map((d) => d.hamletId)])]);
      if (req.priority === 'emergency') {
        for (const o of occurrences) {
          // Pushed at once when due now; later repeats reach receivers through their manifest.
          if (Date.parse(o.startsAt) <= now + 60_000)
            deps.bus.publish({ type: 'emergency', hamletId: o.hamletId, occurrenceId: o.id });
        }
      }
      return {
        id: broadcastId,
        occurrences: occurrences.map((o) => ({
          id: o.id,
          hamletId: o.hamletId,
          at: o.startsAt,
          durationMs: o.durationMs,
          slot: o.slotName,
        })),
        displaced: displaced.map((d) => ({ id: d.id, hamletId: d.hamletId, at: d.startsAt, title: d.title })),
      };
    },

    async list(
      ctx: RequestContext,
      filter: PageRequest & {
        hamletId?: string | undefined;
        from?: string | undefined;
        to?: string | undefined;
      },
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
      if (scope !== 'all' && !row.hamletIds.some((h) => scope.includes(h)))
        assertAllowed(ctx.actor, 'broadcast.read', row.hamletIds);
      return (await view([row], scope))[0]!;
    },

    /** Cancels what has not started yet; past occurrences stay for the record. */
    async cancel(ctx: RequestContext, id: string): Promise<{ cancelledOccurrences: number }> {
      const row = await broadcasts.findBroadcast(id);
      if (!row || row.communeId !== ctx.actor.communeId) throw notFound('Broadcast', id, 'lịch phát');
      assertAllowed(
        ctx.actor,
        row.priority === 'emergency' ? 'broadcast.emergency' : 'broadcast.schedule',
        row.hamletIds,
      );
      if (row.cancelledAt) return { cancelledOccurrences: 0 };
      const now = clock.now();
      const before = (await broadcasts.listOccurrencesOf([id])).filter(
        (o) => o.status === 'scheduled' && o.startsAt > now.toISOString(),
      );
      const touched = await broadcasts.cancelBroadcast(id, ctx.actor.id, now.toISOString());
      await deps.audit.record({
        ...ctx,
        action: 'broadcast.cancel',
        targetType: 'broadcast',
        targetId: id,
        details: { occurrences: before.length },
      });
      if (touched.length > 0) await publishVersions(touched);
      if (row.priority === 'emergency') {
        for (const hamletId of row.hamletIds)
          deps.bus.publish({ type: 'stop', hamletId, occurrenceId: null });
      }
      return { cancelledOccurrences: before.length };
    },
  };
}

export type BroadcastsService = ReturnType<typeof createBroadcastsService>;
