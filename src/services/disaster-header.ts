import { defaultAudioTargets, type Commune } from '../domain/commune.js';
import { bulletinHeaderText, type BulletinIssue, type PendingBulletin } from '../domain/disaster.js';
import { LoaError } from '../domain/errors.js';
import type { AudioWork, ProcessedAudio } from '../domain/ports/audio.js';
import type { Clock } from '../domain/ports/clock.js';
import type { IdGenerator } from '../domain/ports/ids.js';
import { JOB_MAX_ATTEMPTS, type JobRunnerSignal } from '../domain/ports/jobs.js';
import type { UnitOfWork } from '../domain/ports/repositories.js';
import { voiceLanguage } from '../domain/ports/tts.js';
import type { AuditTrail } from './audit.service.js';

/**
 * Where the speech a use case needs is made: in this process, by a processing node later, or nowhere
 * (an edge deployment without `LOA_PROCESSING_TOKEN`, where no node can take a job).
 */
export type SpeechPlace = 'here' | 'processing-node' | 'none';

/** Keeps a bulletin for a processing node to speak its header; its event and replacement wait for it. */
export async function waitForHeader(
  deps: {
    readonly tx: UnitOfWork;
    readonly audit: AuditTrail;
    readonly clock: Clock;
    readonly ids: IdGenerator;
    readonly jobs?: JobRunnerSignal | undefined;
  },
  pending: PendingBulletin,
): Promise<BulletinIssue> {
  const { clock, tx } = deps;
  // Named by the request's key, if it has one: the request sent again finds the job already there.
  const key = pending.idempotencyKey;
  const jobId = `speak-header:${key ? `${pending.actor.communeId}:${key}` : deps.ids.id()}`;
  await tx(async (r) => {
    const now = clock.now().toISOString();
    const enqueued = await r.jobs.enqueueJob(
      {
        id: jobId,
        name: 'speak-header',
        data: JSON.stringify(pending),
        maxAttempts: JOB_MAX_ATTEMPTS,
        runAt: now,
      },
      now,
    );
    if (!enqueued) return;
    await deps.audit.record(r, {
      actor: pending.actor,
      requestId: pending.requestId,
      action: 'disaster.bulletin_request',
      targetType: 'disaster_event',
      targetId: pending.eventId,
      details: {
        jobId,
        announcementId: pending.request.announcementId,
        riskLevel: pending.request.riskLevel,
      },
    });
  });
  deps.jobs?.wake();
  return { state: 'waiting_for_header', jobId, eventId: pending.eventId, headerText: pending.headerText };
}

/**
 * The spoken header of a bulletin issued at `issuedAtMs` ("Bản tin phát lúc … giờ … ngày …"), made by the
 * TTS pipeline: its text, the pipeline's outputs (to store as assets) and the MP3 a receiver plays.
 * A failure of the speech engine is a 503 with nothing put on the air.
 */
export async function speakHeader(
  audio: AudioWork,
  commune: Commune,
  issuedAtMs: number,
): Promise<{
  readonly text: string;
  readonly audio: ProcessedAudio;
  readonly mp3: ProcessedAudio['outputs'][number];
}> {
  return speakText(audio, commune, bulletinHeaderText(issuedAtMs, commune.timeZone));
}

export async function speakText(
  audio: AudioWork,
  commune: Commune,
  text: string,
): Promise<{
  readonly text: string;
  readonly audio: ProcessedAudio;
  readonly mp3: ProcessedAudio['outputs'][number];
}> {
  const made = await audio
    .process(
      { kind: 'text', text, voice: 'vi', language: voiceLanguage },
      commune.settings.audio ?? defaultAudioTargets,
    )
    .catch((error: unknown) => {
      // Nothing is on the air yet: the officer can send it again, or air it as a plain emergency.
      throw new LoaError(
        503,
        'speech_unavailable',
        `The spoken header could not be made (${(error as Error).message}); nothing was put on the air. Try again, or send the bulletin as an emergency broadcast.`,
        'Không tạo được lời dẫn đọc giờ ban hành; bản tin chưa được phát. Hãy thử lại, hoặc phát bản tin như một thông báo khẩn cấp.',
      );
    });
  const mp3 = made.outputs.find((o) => o.format === 'mp3');
  if (!mp3) throw new Error('the pipeline produced no MP3 for the bulletin header');
  return { text, audio: made, mp3 };
}

export const noSpeechHere = (): LoaError =>
  new LoaError(
    503,
    'processing_node_required',
    'The spoken header needs a processing node: set LOA_PROCESSING_TOKEN and run `loa worker --edge URL` on a machine with ffmpeg and espeak-ng; nothing was put on the air.',
    'Cần một máy xử lý âm thanh (loa worker --edge) để đọc lời dẫn giờ ban hành; bản tin chưa được phát. Hãy báo quản trị hệ thống.',
  );
