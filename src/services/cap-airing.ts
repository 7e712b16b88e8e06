import type { RequestContext } from '../domain/actor.js';
import type { CapAlertState, CapCommuneItem } from '../domain/cap/intake.js';
import { parseCapAlert, type CapAlert } from '../domain/cap/alert.js';
import { capExpiry, capHazardType, capRiskLevel, chooseInfo } from '../domain/cap/mapping.js';
import { defaultAudioTargets, type Commune } from '../domain/commune.js';
import { bulletinHeaderText } from '../domain/disaster.js';
import { LoaError } from '../domain/errors.js';
import type { AudioWork, ProcessedAudio } from '../domain/ports/audio.js';
import type { Clock } from '../domain/ports/clock.js';
import {
  JOB_MAX_ATTEMPTS,
  type JobContext,
  type JobResult,
  type PendingSlotAlert,
} from '../domain/ports/jobs.js';
import type { Logger } from '../domain/ports/logger.js';
import type { Repositories, UnitOfWork } from '../domain/ports/repositories.js';
import { voiceLanguage } from '../domain/ports/tts.js';
import { assetsOf } from './audio.service.js';
import type { BroadcastsService } from './broadcasts.service.js';
import { nextSlot, systemActor } from './cap-commune.js';
import { speakHeader, type SpeechPlace } from './disaster-header.js';
import type { DisasterService } from './disaster.service.js';

export interface CapAiringDeps {
  readonly repos: Pick<Repositories, 'capAlerts' | 'communes' | 'announcements'>;
  readonly tx: UnitOfWork;
  readonly clock: Clock;
  readonly audio: AudioWork;
  /** `processing-node`: the alert's words are spoken by a processing node, and it airs once they are. */
  readonly speech: SpeechPlace;
  readonly logger: Logger;
  readonly disaster: Pick<DisasterService, 'addBulletin'>;
  readonly broadcasts: Pick<BroadcastsService, 'scheduleWithin'>;
}

/**
 * How a CAP alert airs in a commune: its words spoken, an emergency as a disaster bulletin at once, a
 * priority alert first in the next standing slot behind its spoken header; where a processing node
 * speaks (the edge), each once its words or header are spoken.
 */
export function createCapAiring(deps: CapAiringDeps) {
  const { clock, tx } = deps;

  /** Speaks the alert's words once for every commune (the output is content-addressed). */
  async function speak(text: string, commune: Commune): Promise<ProcessedAudio> {
    try {
      return await deps.audio.process(
        { kind: 'text', text, voice: 'vi', language: voiceLanguage },
        commune.settings.audio ?? defaultAudioTargets,
      );
    } catch (error) {
      throw new LoaError(
        503,
        'speech_unavailable',
        `The alert could not be spoken (${(error as Error).message}); nothing was recorded, send it again.`,
        'Không đọc được nội dung cảnh báo thành tiếng; chưa ghi nhận, hãy gửi lại.',
      );
    }
  }

  /** Airs one commune's item as a disaster bulletin; on failure it stays in the review queue. */
  async function air(ctx: RequestContext, item: CapCommuneItem, alert: CapAlert): Promise<CapAlertState> {
    const info = chooseInfo(alert)!;
    try {
      const issued = await deps.disaster.addBulletin(
        ctx,
        item.eventId!,
        {
          announcementId: item.announcementId!,
          riskLevel: capRiskLevel(info),
          hazardType: capHazardType(info),
          agency: info.senderName ?? alert.sender,
          issuedAt: alert.sent,
          hamletIds: item.hamletIds,
          everyHours: 2,
        },
        { capItemId: item.id },
      );
      // The bulletin claims the item (only from review) in its own unit of work; waiting for its header (the
      // edge), it does so when it airs.
      return issued.state === 'on_air' ? 'aired' : 'review';
    } catch (error) {
      deps.logger.warn({ item: item.id, err: (error as Error).message }, 'CAP alert left for review');
      return 'review';
    }
  }

  /**
   * Places a priority alert first in the commune's next standing slot (slot packing puts priority items
   * ahead of the commune's normal ones), with the header giving its sent time; on any refusal (the slot
   * is full, no slot today or tomorrow) it stays in the review queue.
   */
  async function airInSlot(
    ctx: RequestContext,
    commune: Commune,
    item: CapCommuneItem,
    alert: CapAlert,
  ): Promise<CapAlertState> {
    if (!nextSlot(commune, clock.now().getTime())) return 'review';
    try {
      if (deps.speech === 'processing-node') {
        // The header is a processing node's job; the item stays in review until it is booked.
        const data: PendingSlotAlert = {
          itemId: item.id,
          communeId: commune.id,
          headerText: bulletinHeaderText(Date.parse(alert.sent), commune.timeZone),
        };
        await tx(async (r) => {
          const now = clock.now().toISOString();
          await r.jobs.enqueueJob(
            {
              id: `speak-slot-header:${item.id}`,
              name: 'speak-slot-header',
              data: JSON.stringify(data),
              maxAttempts: JOB_MAX_ATTEMPTS,
              runAt: now,
            },
            now,
          );
        });
        return 'review';
      }
      const header = await speakHeader(deps.audio, commune, Date.parse(alert.sent));
      return await bookInSlot(ctx, commune, item, header.audio);
    } catch (error) {
      deps.logger.warn({ item: item.id, err: (error as Error).message }, 'CAP alert left for review');
      return 'review';
    }
  }

  /** Books the item first in the commune's next standing slot with its header as lead-in, in one unit. */
  async function bookInSlot(
    ctx: RequestContext,
    commune: Commune,
    item: CapCommuneItem,
    header: ProcessedAudio,
  ): Promise<CapAlertState> {
    const slot = nextSlot(commune, clock.now().getTime());
    const mp3 = header.outputs.find((o) => o.format === 'mp3');
    if (!slot || !mp3) return 'review';
    const booking = await tx(async (r) => {
      const now = clock.now().toISOString();
      for (const asset of assetsOf(header)) await r.announcements.saveAsset(asset, now);
      const booked = await deps.broadcasts.scheduleWithin(
        r,
        ctx,
        {
          announcementId: item.announcementId!,
          hamletIds: item.hamletIds,
          slot,
          priority: 'priority',
        },
        { leadIn: { sha256: mp3.sha256, durationMs: mp3.durationMs } },
      );
      // Only from review: an officer may have aired or dismissed it, or a Cancel taken it off, meanwhile.
      if (
        !(await r.capAlerts.updateItem(item.id, { state: 'aired', broadcastId: booked.scheduled.id }, now, [
          'review',
        ]))
      )
        throw new LoaError(
          409,
          'not_in_review',
          'This alert was aired, dismissed or taken off meanwhile; it is not booked.',
          'Cảnh báo này vừa được phát, bỏ qua hoặc gỡ xuống; không xếp vào khung giờ.',
        );
      return booked;
    });
    booking.publish();
    return 'aired';
  }

  /**
   * A priority alert's header, spoken where it was waited for: booked in the next slot if the item is still
   * in review (an officer may have aired or dismissed it meanwhile, or a Cancel taken it off).
   */
  async function slotHeaderSpoken(data: PendingSlotAlert, header: ProcessedAudio): Promise<CapAlertState> {
    const item = await deps.repos.capAlerts.findItem(data.itemId);
    const commune = await deps.repos.communes.findCommune(data.communeId);
    if (!item || !commune || item.state !== 'review') return item?.state ?? 'dismissed';
    try {
      return await bookInSlot({ actor: systemActor(commune), requestId: null }, commune, item, header);
    } catch (error) {
      if (!(error instanceof LoaError)) throw error;
      // The slot is full (or gone): the officer decides, as when it is full on arrival.
      deps.logger.warn({ item: item.id, err: error.message }, 'CAP alert left for review');
      return (await deps.repos.capAlerts.findItem(item.id))?.state ?? 'review';
    }
  }

  /**
   * Airs the alerts whose words a processing node has spoken since they arrived (the edge), as they
   * would have aired on arrival: an emergency as a disaster bulletin, a priority alert in the next
   * slot; one that expired or was cancelled meanwhile is not aired. Returns how many were handled.
   */
  async function airSpoken(): Promise<number> {
    if (deps.speech !== 'processing-node') return 0;
    const waiting = await deps.repos.capAlerts.listSpokenWaiting();
    for (const item of waiting) {
      const record = await deps.repos.capAlerts.findAlert(item.alertId);
      // Verified on receipt: its signature is not checked again (the signer's certificate may have lapsed).
      const parsed = parseCapAlert((await deps.repos.capAlerts.findDocument(item.alertId)) ?? '', {
        stored: true,
      });
      const commune = await deps.repos.communes.findCommune(item.communeId);
      // Leaves the waiting state first, so that the next tick never airs it twice; a Cancel or an Update that
      // took it off meanwhile keeps it off.
      const now = clock.now().toISOString();
      if (!(await deps.repos.capAlerts.updateItem(item.id, { state: 'review' }, now, ['speaking']))) continue;
      if (!record || !parsed.ok || !commune) continue;
      const expiry = capExpiry(parsed.alert);
      if (expiry !== null && expiry <= clock.now().getTime()) {
        await deps.repos.capAlerts.updateItem(item.id, { state: 'expired' }, now, ['review']);
        continue;
      }
      const ctx = { actor: systemActor(commune), requestId: null };
      if (record.level === 'emergency') await air(ctx, item, parsed.alert);
      else if (record.level === 'priority') await airInSlot(ctx, commune, item, parsed.alert);
    }
    return waiting.length;
  }

  /** The `speak-slot-header` job where a speech engine runs: the header spoken by `audio`, then booked. */
  async function speakPendingSlotHeader(data: PendingSlotAlert, job: JobContext): Promise<JobResult> {
    try {
      const commune = await deps.repos.communes.findCommune(data.communeId);
      if (!commune) return { status: 'skipped', reason: 'the commune no longer exists' };
      const header = await deps.audio.process(
        { kind: 'text', text: data.headerText, voice: 'vi', language: voiceLanguage },
        commune.settings.audio ?? defaultAudioTargets,
      );
      await slotHeaderSpoken(data, header);
      return { status: 'success' };
    } catch (error) {
      return { status: 'failed', error: (error as Error).message, retry: !job.lastAttempt };
    }
  }

  return { speak, air, airInSlot, slotHeaderSpoken, speakPendingSlotHeader, airSpoken };
}
