import { rollUpApproval, type Announcement, type Approval, type Variant } from './announcement.js';

/**
 * Whether the office can judge a version: it hears its processed audio, or reads its typed text (the
 * voice reads it as typed). A recording still processing, or failed, offers nothing to judge, so
 * approving it would approve audio nobody heard.
 */
export const judgeable = (v: Pick<Variant, 'status' | 'audio' | 'sourceKind' | 'text'>): boolean =>
  (v.status === 'ready' && v.audio !== null) || (v.sourceKind === 'text' && v.text !== null);

/** What an approval changes, decided before anything is written. */
export type ApprovalPlan =
  /** Every version asked for is approved already: nothing changes. */
  | { readonly kind: 'nothing' }
  /** Versions wait, but none can be judged yet: nothing may be approved. */
  | { readonly kind: 'unheard'; readonly versions: readonly Variant[] }
  | {
      readonly kind: 'approve';
      /** The versions approved now. */
      readonly approve: readonly string[];
      /**
       * Refused versions whose refusal the approval lifts without approving them (not named, or not
       * heard yet): they wait for the office again instead of staying refused under approved ones.
       */
      readonly reopen: readonly string[];
      /** The versions that still wait for the office afterwards. */
      readonly waiting: readonly string[];
      /** The announcement's approval afterwards. */
      readonly approval: Approval;
    };

/**
 * What approving `a` does: of the versions asked for (`seen`, default every version), those that wait and
 * can be judged are approved; the others keep waiting. Approving refused content lifts the refusal, and
 * only the versions approved here are approved: the rest wait for the office.
 * @example
 * // Refused content with a Vietnamese and a Giáy version, both ready; the officer names the first:
 * planApproval(refused, ['vi-id'])
 * // → { kind: 'approve', approve: ['vi-id'], reopen: ['giay-id'], waiting: ['giay-id'], approval: 'pending' }
 */
export function planApproval(a: Pick<Announcement, 'variants'>, seen?: readonly string[]): ApprovalPlan {
  const asked = seen ? a.variants.filter((v) => seen.includes(v.id)) : a.variants;
  const candidates = asked.filter((v) => v.approval !== 'approved');
  if (candidates.length === 0) return { kind: 'nothing' };
  const approve = candidates.filter(judgeable).map((v) => v.id);
  if (approve.length === 0) return { kind: 'unheard', versions: candidates };
  const reopen = a.variants
    .filter((v) => v.approval === 'rejected' && !approve.includes(v.id))
    .map((v) => v.id);
  const after = a.variants.map((v) => ({
    id: v.id,
    approval: approve.includes(v.id) ? 'approved' : reopen.includes(v.id) ? 'pending' : v.approval,
  }));
  return {
    kind: 'approve',
    approve,
    reopen,
    waiting: after.filter((v) => v.approval === 'pending').map((v) => v.id),
    approval: rollUpApproval(after),
  };
}

/**
 * Whether `decision` by `actorId` would overturn a decision someone else made: approving content another
 * officer refused, refusing content another approved (or refused already, with a reason of theirs).
 * Approving approved content changes nothing, and a decision of one's own is one's to change.
 */
export function overturns(
  a: Pick<Announcement, 'approval' | 'approvedBy'>,
  decision: 'approved' | 'rejected',
  actorId: string,
): boolean {
  if (a.approval === 'pending' || a.approvedBy === null || a.approvedBy === actorId) return false;
  return !(a.approval === 'approved' && decision === 'approved');
}

/**
 * The office's decision as a page showed it (who decided what, when): a page's decision is made only on
 * the decision it showed. A version added meanwhile does not change it: that version waits on its own.
 * @example decisionShown({ approval: 'pending', approvedBy: null, approvedAt: null }) // → 'pending::'
 */
export const decisionShown = (a: Pick<Announcement, 'approval' | 'approvedBy' | 'approvedAt'>): string =>
  `${a.approval}:${a.approvedBy ?? ''}:${a.approvedAt ?? ''}`;

/**
 * The announcement's entity tag (ETag): it changes whenever the announcement does (a decision, a version
 * added, processed, failed or retried, a withdrawal), so that a decision sent with `If-Match` is made on
 * what the officer saw. A strong tag: the processing and approval state, versions and audio it covers are
 * what the announcement's representation says.
 */
export function announcementTag(a: Announcement): string {
  const state = JSON.stringify([
    a.id,
    a.title,
    a.category,
    a.hamletId,
    a.status,
    a.error,
    a.approval,
    a.approvalReason,
    a.approvedBy,
    a.approvedAt,
    a.withdrawnAt,
    a.updatedAt,
    a.variants.map((v) => [
      v.id,
      v.language,
      v.status,
      v.error,
      v.approval,
      v.text,
      v.voice,
      v.audio?.sha256 ?? null,
      v.opus?.sha256 ?? null,
      v.updatedAt,
    ]),
  ]);
  return `"${hash53(state).toString(36)}"`;
}

/**
 * A 53-bit hash (cyrb53, public domain): the tag only has to differ between two states of one
 * announcement, and the kernel runs on Node and Workers alike with no synchronous digest in common.
 */
function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
