import type { Announcement, NewVariant } from '../domain/announcement.js';
import { conflict } from '../domain/errors.js';
import type { ProcessedAudio } from '../domain/ports/audio.js';
import { JOB_MAX_ATTEMPTS } from '../domain/ports/jobs.js';
import type { Repositories } from '../domain/ports/repositories.js';
import { recordProcessedAudio } from './audio.service.js';

/** Withdrawn content is done with: no new version, no decision. */
export function assertNotWithdrawn(a: Announcement): void {
  if (!a.withdrawnAt) return;
  throw conflict(
    `"${a.title}" was withdrawn; make a new announcement instead.`,
    `Thông báo "${a.title}" đã được rút lại. Hãy tạo thông báo mới nếu cần.`,
  );
}

/**
 * Refused content takes no new version until the office approves it again: a version added meanwhile would
 * air where approval is not required, or wait in no queue where it is.
 */
export function assertTakesVersions(a: Announcement): void {
  assertNotWithdrawn(a);
  if (a.approval !== 'rejected') return;
  throw conflict(
    `"${a.title}" was refused by the commune office; it takes no new version unless the office approves it again.`,
    `Thông báo "${a.title}" đã bị văn phòng xã từ chối nên không thêm bản mới được. Hãy tạo thông báo mới, hoặc đề nghị văn phòng xã duyệt lại.`,
  );
}

/** A new version and, when it came processed already and passed the measurement, its audio. */
export interface Accepted {
  readonly variant: NewVariant;
  readonly ready: ProcessedAudio | null;
}

/**
 * Makes a new version's audio happen in the unit of work that stored it: audio that came processed is
 * recorded as it is, anything else gets its processing job (an outbox for free).
 */
export async function processOrRecord(
  r: Pick<Repositories, 'jobs' | 'announcements'>,
  announcementId: string,
  accepted: Accepted,
  now: string,
): Promise<void> {
  if (accepted.ready) await recordProcessedAudio(r, accepted.variant.id, announcementId, accepted.ready, now);
  else await enqueueProcessing(r, accepted.variant.id, '1', now);
}

/** Writes the job that processes a variant, in the unit of work that stored it (an outbox for free). */
export async function enqueueProcessing(
  r: Pick<Repositories, 'jobs'>,
  variantId: string,
  round: string,
  now: string,
): Promise<void> {
  // The job id names the variant and the round, so enqueueing the same round twice is one job.
  await r.jobs.enqueueJob(
    {
      id: `process-variant:${variantId}:${round}`,
      name: 'process-variant',
      data: JSON.stringify({ variantId }),
      maxAttempts: JOB_MAX_ATTEMPTS,
      runAt: now,
    },
    now,
  );
}
