import type { RequestContext } from '../domain/actor.js';
import type { Announcement, Variant } from '../domain/announcement.js';
import { announcementTag, decisionShown, overturns, planApproval } from '../domain/announcement-decision.js';
import { conflict, preconditionFailed, type LoaError } from '../domain/errors.js';
import { ifMatchHolds } from '../domain/etag.js';
import { assertAllowed } from '../domain/policy.js';
import type { Clock } from '../domain/ports/clock.js';
import type { EventBus } from '../domain/ports/events.js';
import type { Repositories, UnitOfWork } from '../domain/ports/repositories.js';
import type { AuditTrail } from './audit.service.js';
import { assertNotWithdrawn } from './announcement-versions.js';
import { announceOffAir, takeOffAir, type OffAir } from './off-air.js';

type Repos = Pick<Repositories, 'announcements' | 'broadcasts' | 'hamlets' | 'bulletins' | 'users' | 'audit'>;

interface Deps {
  readonly tx: UnitOfWork;
  readonly audit: AuditTrail;
  /** Told when refused content comes off the air: new schedule versions, and stop for boxes playing it. */
  readonly bus: EventBus;
  readonly clock: Clock;
  /** The announcement as the caller may read it (404 for another commune's or hamlet's). */
  readonly load: (
    r: Pick<Repositories, 'announcements' | 'bulletins'>,
    ctx: RequestContext,
    id: string,
  ) => Promise<Announcement>;
}

/**
 * What the deciding officer saw. `ifMatch`: the announcement's ETag as she was shown it; the decision is
 * refused (412) when the announcement changed since. Without it, a decision that would overturn another
 * officer's is refused (409): she is shown that decision first.
 */
export interface DecisionPrecondition {
  readonly ifMatch?: string | undefined;
  /** `decisionShown` of the announcement as a page showed it: refused (409) when someone decided since. */
  readonly decisionShown?: string | undefined;
}

/** The office's decision and what it did. */
export type Decided = Announcement & {
  /** Occurrences not yet started that a refusal cancelled (0 for an approval). */
  readonly cancelledOccurrences: number;
  /** The versions this decision approved (none for a refusal, or an approval that found nothing waiting). */
  readonly approvedVariantIds: readonly string[];
  /** The versions still waiting for the office after it: not heard yet, or not named. */
  readonly waitingVariantIds: readonly string[];
};

const changedMeanwhile = (a: Announcement) =>
  preconditionFailed(
    `"${a.title}" changed after you read it (a decision, or a version added or processed); nothing was decided. Read it again (its ETag is new), check it, and decide with the new ETag in If-Match.`,
    `Thông báo "${a.title}" đã thay đổi từ khi bạn mở (có người vừa quyết định, hoặc có bản mới); chưa có gì được quyết định. Hãy tải lại, xem lại rồi quyết định.`,
  );

/** Said when a decision would overturn another officer's that the sender did not say she saw. */
async function overturned(r: Repos, a: Announcement): Promise<LoaError> {
  const by = a.approvedBy ? ((await r.users.findUser(a.approvedBy))?.displayName ?? a.approvedBy) : '';
  const extra = { approval: a.approval, decidedAt: a.approvedAt };
  if (a.approval === 'rejected')
    return conflict(
      `"${a.title}" was refused by ${by}${a.approvalReason ? ` (reason: ${a.approvalReason})` : ''}; nothing was decided. To overturn that, read the announcement and send your decision with its ETag in If-Match.`,
      `Thông báo "${a.title}" đã bị ${by} từ chối${a.approvalReason ? ` (lý do: ${a.approvalReason})` : ''}; chưa có gì thay đổi. Hãy tải lại để xem quyết định đó rồi quyết định lại.`,
      extra,
    );
  return conflict(
    `"${a.title}" was approved by ${by}; nothing was decided. To refuse it all the same, read the announcement and send your decision with its ETag in If-Match.`,
    `Thông báo "${a.title}" đã được ${by} duyệt; chưa có gì thay đổi. Hãy tải lại để xem quyết định đó rồi quyết định lại.`,
    extra,
  );
}

/** Said when nothing asked for can be judged: recordings still processing, or failed. */
function nothingToHear(a: Announcement, versions: readonly Variant[]) {
  const failed = versions.every((v) => v.status === 'failed');
  const languages = versions.map((v) => v.language).join(', ');
  return conflict(
    failed
      ? `Nothing of "${a.title}" that waits can be heard: the recording (${languages}) failed to process. Retry it, or refuse the announcement.`
      : `Nothing of "${a.title}" that waits can be heard yet: the recording (${languages}) is still being processed. Approve it once it can be heard, or refuse the announcement.`,
    failed
      ? `Thông báo "${a.title}" chưa nghe được bản nào để duyệt: bản ghi âm (${languages}) xử lý bị lỗi. Hãy xử lý lại, hoặc từ chối thông báo.`
      : `Thông báo "${a.title}" chưa nghe được bản nào để duyệt: bản ghi âm (${languages}) đang được xử lý. Hãy duyệt khi nghe được, hoặc từ chối thông báo.`,
    { variantIds: versions.map((v) => v.id) },
  );
}

/** The office's decisions on an announcement: approve, reject. */
export function createAnnouncementDecisions(deps: Deps) {
  const { clock, tx } = deps;

  /** Approves, inside the unit of work, what `seen` names (default: everything) that can be judged. */
  async function approveIn(
    r: Repos,
    ctx: RequestContext,
    a: Announcement,
    seen: readonly string[] | undefined,
  ): Promise<{ approved: readonly string[]; waiting: readonly string[] }> {
    const plan = planApproval(a, seen);
    if (plan.kind === 'unheard') throw nothingToHear(a, plan.versions);
    const waiting = a.variants.filter((v) => v.approval === 'pending').map((v) => v.id);
    if (plan.kind === 'nothing') return { approved: [], waiting };
    const now = clock.now().toISOString();
    await r.announcements.setVariantApprovals(a.id, ['pending', 'rejected'], 'approved', now, plan.approve);
    if (plan.reopen.length > 0)
      await r.announcements.setVariantApprovals(a.id, ['rejected'], 'pending', now, plan.reopen);
    if (plan.approval === 'approved')
      await r.announcements.setApproval(a.id, 'approved', null, ctx.actor.id, now);
    // A refusal lifted in part: no decision stands, the rest waits in the queue.
    else if (a.approval === 'rejected') await r.announcements.setApproval(a.id, 'pending', null, null, now);
    await deps.audit.record(r, {
      ...ctx,
      action: 'announcement.approve',
      targetType: 'announcement',
      targetId: a.id,
      details: {
        variantIds: [...plan.approve],
        othersWaiting: plan.waiting.length > 0,
        ...(plan.reopen.length > 0 && { refusalLifted: [...plan.reopen] }),
      },
    });
    return { approved: plan.approve, waiting: plan.waiting };
  }

  /** Refuses every version inside the unit of work and takes the content off the air. */
  async function rejectIn(
    r: Repos,
    ctx: RequestContext,
    a: Announcement,
    reason: string | null,
  ): Promise<OffAir> {
    // A refusal is held like a withdrawal: no dispatcher tick adds an airing of it after.
    await r.hamlets.lockSchedules(await r.broadcasts.listHamletsBookedWith(a.id));
    const now = clock.now().toISOString();
    await r.announcements.setVariantApprovals(a.id, ['pending', 'approved'], 'rejected', now);
    await r.announcements.setApproval(a.id, 'rejected', reason, ctx.actor.id, now);
    const off = await takeOffAir(r, a.id, now);
    await deps.audit.record(r, {
      ...ctx,
      action: 'announcement.reject',
      targetType: 'announcement',
      targetId: a.id,
      details: {
        ...(reason && { reason }),
        cancelledOccurrences: off.cancelled,
        stopped: off.airing.length,
      },
    });
    return off;
  }

  return {
    /**
     * The office's decision: the commune answers for what airs. Approving approves the versions asked for
     * (`seen`: those the officer's page showed; default every version) that wait and can be judged — heard,
     * or read for a typed text — while a recording still processing (or failed) waits, and with nothing to
     * judge it is refused (409). Approving refused content lifts the refusal for what it approves; the other
     * versions wait for the office. Rejecting refuses every version and takes the content off the air: its
     * occurrences that have not started are cancelled and boxes playing it are told to stop.
     * `precondition` is what the officer saw (see {@link DecisionPrecondition}: the API's `If-Match`, or the
     * decision a page showed); without one (the command line, the office's own tools) it is made as asked.
     */
    async decide(
      ctx: RequestContext,
      id: string,
      decision: 'approved' | 'rejected',
      reason: string | null,
      seen?: readonly string[],
      precondition?: DecisionPrecondition,
    ): Promise<Decided> {
      assertAllowed(ctx.actor, 'announcement.approve');
      const done = await tx(async (r) => {
        // One decision at a time, and none while a version is being added (it would not see it).
        await r.announcements.lockAnnouncement(id);
        const before = await deps.load(r, ctx, id);
        assertNotWithdrawn(before);
        if (precondition?.ifMatch !== undefined) {
          if (!ifMatchHolds(precondition.ifMatch, announcementTag(before))) throw changedMeanwhile(before);
        } else if (precondition?.decisionShown !== undefined) {
          if (precondition.decisionShown !== decisionShown(before))
            throw before.approval === 'pending' ? changedMeanwhile(before) : await overturned(r, before);
        } else if (precondition && overturns(before, decision, ctx.actor.id)) {
          throw await overturned(r, before);
        }
        if (decision === 'approved') {
          const { approved, waiting } = await approveIn(r, ctx, before, seen?.length ? seen : undefined);
          return { announcement: await deps.load(r, ctx, id), off: null, approved, waiting };
        }
        const off = await rejectIn(r, ctx, before, reason);
        return { announcement: await deps.load(r, ctx, id), off, approved: [], waiting: [] };
      });
      if (done.off) announceOffAir(deps.bus, done.off);
      return {
        ...done.announcement,
        cancelledOccurrences: done.off?.cancelled ?? 0,
        approvedVariantIds: done.approved,
        waitingVariantIds: done.waiting,
      };
    },
  };
}
