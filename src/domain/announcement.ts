import { z } from 'zod';
import { humanText, idText, languageCode } from './input.js';
import type { AcceptedAudio } from './ports/audio.js';
import { ttsVoices } from './ports/tts.js';

/** Where a version's audio is in its processing (xử lý âm thanh). */
export const PROCESSING_STATUSES = ['queued', 'processing', 'ready', 'failed'] as const;
export type ProcessingStatus = (typeof PROCESSING_STATUSES)[number];

/** The commune office's decision on content (kiểm duyệt): it answers for what airs. */
export const APPROVALS = ['pending', 'approved', 'rejected'] as const;
export type Approval = (typeof APPROVALS)[number];

export const SOURCE_KINDS = ['upload', 'text'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const AUDIO_FORMATS = ['mp3', 'opus'] as const;
export type AudioFormat = (typeof AUDIO_FORMATS)[number];

/** An encoded file and what was measured on it; stored once per SHA-256. */
export const AudioInfoSchema = z.object({
  sha256: z.string(),
  format: z.enum(AUDIO_FORMATS),
  bytes: z.number().int(),
  durationMs: z.number().int(),
  integratedLufs: z.number(),
  truePeakDbtp: z.number(),
  lraLu: z.number(),
  sourceCodec: z.string(),
  sourceDurationMs: z.number().int(),
  sourceLufs: z.number().nullable(),
  peaks: z.array(z.number()).readonly(),
});
export type AudioInfo = Readonly<z.infer<typeof AudioInfoSchema>>;

/** One language version of an announcement (bản tiếng …): a recording or a typed text. */
export const VariantSchema = z.object({
  id: z.string(),
  language: z.string(),
  sourceKind: z.enum(SOURCE_KINDS),
  sourceKey: z.string().nullable(),
  sourceName: z.string().nullable(),
  text: z.string().nullable(),
  voice: z.string().nullable(),
  status: z.enum(PROCESSING_STATUSES),
  error: z.string().nullable(),
  /** The office's decision on this version: one added later waits while approved ones keep airing. */
  approval: z.enum(APPROVALS),
  audio: AudioInfoSchema.nullable(),
  opus: AudioInfoSchema.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Variant = Readonly<z.infer<typeof VariantSchema>>;

/** Content to air (thông báo): its versions, its processing state and the office's approval. */
export const AnnouncementSchema = z.object({
  id: z.string(),
  communeId: z.string(),
  /** The secretary's hamlet; null for commune-wide content from the commune office. */
  hamletId: z.string().nullable(),
  title: z.string(),
  category: z.string(),
  createdBy: z.string(),
  /** The author's display name, as the office reads it in the approval queue. */
  authorName: z.string(),
  status: z.enum(PROCESSING_STATUSES),
  error: z.string().nullable(),
  approval: z.enum(APPROVALS),
  approvalReason: z.string().nullable(),
  approvedBy: z.string().nullable(),
  approvedAt: z.string().nullable(),
  /** Set when its author or the office withdrew it: it came off the air and is never booked again. */
  withdrawnAt: z.string().nullable(),
  withdrawnBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  variants: z.array(VariantSchema).readonly(),
});
export type Announcement = Readonly<z.infer<typeof AnnouncementSchema>>;

/** A variant as it is stored before processing. */
export interface NewVariant {
  readonly id: string;
  readonly language: string;
  readonly approval: Approval;
  readonly sourceKind: SourceKind;
  readonly sourceKey: string | null;
  readonly sourceName: string | null;
  readonly text: string | null;
  readonly voice: string | null;
  /** What the check at upload found, reused by the processing job. */
  readonly inspection: AcceptedAudio | null;
}

/** A variant with what the processing job needs of it. */
export interface VariantWork extends Variant {
  readonly announcementId: string;
  readonly communeId: string;
  readonly inspection: AcceptedAudio | null;
}

const NEXT: Readonly<Record<ProcessingStatus, readonly ProcessingStatus[]>> = {
  queued: ['processing', 'failed'],
  processing: ['ready', 'queued', 'failed'],
  // Only when its audio was lost from the media store: then it is retried from the original.
  ready: ['failed'],
  failed: ['queued'],
};

/**
 * Whether a version may move from one processing state to another: queued → processing → ready | failed,
 * back to queued for a retry (after a temporary failure, or by a person from failed). Ready stays ready
 * unless its audio is found missing from the store (deleted behind the service's back): then it fails,
 * and a retry makes it again from the kept original.
 */
export const canMove = (from: ProcessingStatus, to: ProcessingStatus): boolean => NEXT[from].includes(to);

/**
 * The versions that may air: processed, and approved by the office (every new version starts pending
 * when the commune requires approval, approved otherwise).
 */
export const airableVariants = (variants: readonly Variant[]): readonly Variant[] =>
  variants.filter((v) => v.status === 'ready' && v.audio !== null && v.approval === 'approved');

/**
 * Why content cannot be booked now: withdrawn, still processing, processing failed, waiting for the office,
 * refused.
 */
export type NotAirableReason = 'withdrawn' | 'processing' | 'failed' | 'pending' | 'rejected';

/**
 * Why an announcement cannot be booked now, or null when it can: at least one version processed and
 * approved (another may still be processed, or have failed), as the booking checks it. A pick list offers what gives null and says the reason
 * for the rest, rather than leaving content out without a word.
 */
export function notAirableReason(
  a: Pick<Announcement, 'status' | 'approval' | 'variants' | 'withdrawnAt'>,
): NotAirableReason | null {
  if (a.withdrawnAt) return 'withdrawn';
  if (airableVariants(a.variants).length > 0) return null;
  if (a.approval === 'rejected') return 'rejected';
  if (a.status === 'failed') return 'failed';
  if (a.status !== 'ready') return 'processing';
  return 'pending';
}

/**
 * An announcement's decision from its versions': rejected when it was rejected, pending while any
 * version waits for the office, approved when every version is.
 */
export function rollUpApproval(variants: readonly Pick<Variant, 'approval'>[]): Approval {
  if (variants.some((v) => v.approval === 'rejected')) return 'rejected';
  if (variants.some((v) => v.approval === 'pending')) return 'pending';
  return 'approved';
}

/**
 * An announcement's processing state from its versions': failed if any failed (naming the language),
 * ready when all are, processing while any is. A version queued with a reason is waiting for
 * something outside it (a full disk); the reason is shown so that people know why nothing happens.
 * @example rollUpStatus([{ status: 'ready', … }, { status: 'failed', language: 'giay', error: 'Tệp hỏng' }])
 * // → { status: 'failed', error: 'giay: Tệp hỏng' }
 */
export function rollUpStatus(variants: readonly Pick<Variant, 'status' | 'language' | 'error'>[]): {
  readonly status: ProcessingStatus;
  readonly error: string | null;
} {
  const failed = variants.find((v) => v.status === 'failed');
  if (failed) return { status: 'failed', error: `${failed.language}: ${failed.error ?? ''}` };
  if (variants.length > 0 && variants.every((v) => v.status === 'ready'))
    return { status: 'ready', error: null };
  const waiting = variants.find((v) => v.status === 'queued' && v.error);
  const why = waiting ? `${waiting.language}: ${waiting.error}` : null;
  if (variants.some((v) => v.status === 'processing')) return { status: 'processing', error: why };
  return { status: 'queued', error: why };
}

/** Longest text accepted for speech; a longer one is several announcements. */
export const MAX_TEXT_CHARS = 5000;

const category = z
  .string()
  .trim()
  .min(1)
  .max(50)
  .regex(/^[\p{L}\p{N} _-]+$/u, 'may contain letters, digits, spaces, dash and underscore')
  .default('thong-bao');

/** A typed text as it is stored and read: browser line breaks as one, NFC, no edge spaces. */
const cleanText = (text: string): string => text.replace(/\r\n?/g, '\n').normalize('NFC').trim();

/**
 * The characters of a typed text as a person counts them, and as the page's counter shows them: code
 * points after NFC (a decomposed "ế" is one character, an emoji too), the browser's CRLF line breaks
 * one character each.
 */
export const textLength = (text: string): number => [...text.replace(/\r\n?/g, '\n').normalize('NFC')].length;

/**
 * The refusal of a text past the limit, naming the limit and the count, so that the person knows how much
 * to cut; `params` carries the Vietnamese for the edge (problem+json `messageVi`, the page's field error).
 */
export function textTooLong(count: number): {
  readonly message: string;
  readonly params: { readonly count: number; readonly limit: number; readonly messageVi: string };
} {
  return {
    message: `must be at most ${MAX_TEXT_CHARS} characters; this text has ${count}: shorten it or split it into several announcements`,
    params: {
      count,
      limit: MAX_TEXT_CHARS,
      messageVi: `Văn bản dài ${count} ký tự, vượt giới hạn ${MAX_TEXT_CHARS} ký tự. Hãy rút gọn hoặc chia thành nhiều thông báo.`,
    },
  };
}

export const speechText = z
  .string()
  .transform(cleanText)
  .pipe(
    z
      .string()
      .min(1, 'must not be empty')
      .check((ctx) => {
        const count = textLength(ctx.value);
        // Refused, never cut: a text read out half-way would air a directive without its end.
        if (count > MAX_TEXT_CHARS)
          ctx.issues.push({ code: 'custom', input: ctx.value, ...textTooLong(count) });
        // Dots, dashes or emoji alone give a speech engine nothing to say: refused here, in words for a
        // typed text, rather than by a failed job that asks to record again.
        else if (!/[\p{L}\p{N}]/u.test(ctx.value))
          ctx.issues.push({
            code: 'custom',
            input: ctx.value,
            message: 'has no letter or digit to read',
            params: { messageVi: 'Văn bản không có chữ hay số nào để đọc. Hãy gõ nội dung thông báo.' },
          });
      }),
  )
  .describe(
    `At most ${MAX_TEXT_CHARS} characters (code points after NFC, a line break as one); a longer text is refused, never cut.`,
  );

/** What describes a new announcement, whatever its first version is. */
export const AnnouncementMetaSchema = z.strictObject({
  title: humanText(200),
  language: languageCode,
  category,
  hamletId: idText.optional(),
});
export type AnnouncementMeta = z.output<typeof AnnouncementMetaSchema>;

/** A typed text to be read by a speech engine, and the voice. */
export const SpeechSchema = z.strictObject({ text: speechText, voice: z.enum(ttsVoices).default('vi') });
export type Speech = z.output<typeof SpeechSchema>;

/** A new announcement from a typed text. */
export const TextAnnouncementSchema = AnnouncementMetaSchema.extend(SpeechSchema.shape);

/** Another language of an announcement: a recording's form fields, or a text. */
export const VariantFieldsSchema = z.strictObject({ language: languageCode });
export const VariantTextSchema = VariantFieldsSchema.extend(SpeechSchema.shape);

export const RejectionReasonSchema = z.strictObject({ reason: humanText(500) });

/** What an approval covers: the versions the office looked at (default: every version that waits). */
export const ApprovalSchema = z.strictObject({ variantIds: z.array(idText).min(1).max(50).optional() });
