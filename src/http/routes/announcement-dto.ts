// The JSON shapes of announcements and the headers of a decision: what the API answers, documented in
// OpenAPI from these schemas.
import { z } from '@hono/zod-openapi';
import {
  APPROVALS,
  AUDIO_FORMATS,
  PROCESSING_STATUSES,
  SOURCE_KINDS,
  type Announcement,
  type AudioInfo,
} from '../../domain/announcement.js';
import { OCCURRENCE_STATUSES, type Airing } from '../../domain/broadcast.js';
import { PRIORITIES } from '../../domain/schedule/types.js';
import { ProblemSchema } from '../schemas.js';

const Audio = z.object({
  url: z.string(),
  sha256: z.string(),
  format: z.enum(AUDIO_FORMATS),
  bytes: z.number(),
  durationMs: z.number(),
  loudness: z.object({ integratedLufs: z.number(), truePeakDbtp: z.number(), lraLu: z.number() }),
  source: z.object({ codec: z.string(), durationMs: z.number(), integratedLufs: z.number().nullable() }),
  peaks: z.array(z.number()),
});

export const AnnouncementSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    category: z.string(),
    hamletId: z.string().nullable(),
    createdBy: z.string(),
    authorName: z.string().openapi({ description: "The author's display name" }),
    status: z.enum(PROCESSING_STATUSES),
    error: z.string().nullable(),
    approval: z.enum(APPROVALS),
    approvalReason: z.string().nullable(),
    withdrawnAt: z.string().nullable().openapi({
      description: 'Set when its author or the office withdrew it: off the air, never booked again',
    }),
    createdAt: z.string(),
    variants: z.array(
      z.object({
        id: z.string(),
        language: z.string(),
        status: z.enum(PROCESSING_STATUSES),
        error: z.string().nullable(),
        approval: z.enum(APPROVALS).openapi({
          description: 'A version added after approval waits for the office; approved ones keep airing',
        }),
        source: z.enum(SOURCE_KINDS),
        text: z.string().nullable().openapi({ description: 'The typed text of a text version, else null' }),
        voice: z.string().nullable().openapi({ description: 'The voice reading a text version, else null' }),
        audio: Audio.nullable(),
        opus: Audio.nullable(),
      }),
    ),
  })
  .openapi('Announcement');

export const Decided = AnnouncementSchema.extend({
  cancelledOccurrences: z.number().int().openapi({
    description:
      'Occurrences not yet started that a rejection or withdrawal cancelled (0 for an approval, or a second withdrawal)',
  }),
}).openapi('AnnouncementDecision');

export const Approved = Decided.extend({
  approvedVariantIds: z.array(z.string()).openapi({
    description:
      'The versions this approval approved: of those asked for, the ones that waited and can be judged (heard, or read for a typed text)',
  }),
  waitingVariantIds: z.array(z.string()).openapi({
    description:
      'The versions still waiting for the office: a recording still processing (or failed), or a version not named',
  }),
}).openapi('AnnouncementApproval');

export const etagHeader = {
  ETag: {
    description:
      'Strong entity tag of the announcement: changes with every decision, version, processing step or withdrawal',
    schema: { type: 'string' as const },
  },
};

/** What the officer decided on: the ETag of the announcement as she read it. */
export const IfMatchHeader = z.object({
  'if-match': z.string().optional().openapi({
    description:
      'The ETag of the announcement as last read: the decision is made only if nothing changed since (412 otherwise, nothing decided), and may then overturn another officer’s decision. Without it, a decision that would overturn another officer’s (approving what they refused, refusing what they approved or refused) is refused with 409.',
  }),
});

/** The refusals particular to a decision, besides the usual ones. */
export const decisionProblems = {
  409: {
    description:
      'Withdrawn; nothing that waits can be heard yet (approve); or, without If-Match, it would overturn another officer’s decision',
    content: { 'application/problem+json': { schema: ProblemSchema } },
  },
  412: {
    description: 'The announcement changed since the ETag sent in If-Match was read; nothing was decided',
    content: { 'application/problem+json': { schema: ProblemSchema } },
  },
};

export const AiringSchema = z
  .object({
    occurrenceId: z.string(),
    hamletId: z.string(),
    hamletName: z.string(),
    at: z.string().openapi({ description: 'Start, ISO 8601 UTC' }),
    durationMs: z.number().int(),
    slot: z.string().nullable(),
    priority: z.enum(PRIORITIES),
    status: z.enum(OCCURRENCE_STATUSES),
  })
  .openapi('Airing');

export const Accepted = z.object({ id: z.string(), status: z.enum(PROCESSING_STATUSES) });

const audioDto = (a: AudioInfo | null) =>
  a && {
    url: `/media/${a.sha256}.${a.format}`,
    sha256: a.sha256,
    format: a.format,
    bytes: a.bytes,
    durationMs: a.durationMs,
    loudness: { integratedLufs: a.integratedLufs, truePeakDbtp: a.truePeakDbtp, lraLu: a.lraLu },
    source: { codec: a.sourceCodec, durationMs: a.sourceDurationMs, integratedLufs: a.sourceLufs },
    peaks: [...a.peaks],
  };

export const toAnnouncementDto = (a: Announcement) => ({
  id: a.id,
  title: a.title,
  category: a.category,
  hamletId: a.hamletId,
  createdBy: a.createdBy,
  authorName: a.authorName,
  status: a.status,
  error: a.error,
  approval: a.approval,
  approvalReason: a.approvalReason,
  withdrawnAt: a.withdrawnAt,
  createdAt: a.createdAt,
  variants: a.variants.map((v) => ({
    id: v.id,
    language: v.language,
    status: v.status,
    error: v.error,
    approval: v.approval,
    source: v.sourceKind,
    text: v.text,
    voice: v.voice,
    audio: audioDto(v.audio),
    opus: audioDto(v.opus),
  })),
});

/** An announcement with how many occurrences its rejection or withdrawal cancelled. */
export const toDecidedDto = (a: Announcement & { readonly cancelledOccurrences: number }) => ({
  ...toAnnouncementDto(a),
  cancelledOccurrences: a.cancelledOccurrences,
});

/** An approval's answer: the announcement, and which versions it approved and which still wait. */
export const toApprovedDto = (
  a: Announcement & {
    readonly cancelledOccurrences: number;
    readonly approvedVariantIds: readonly string[];
    readonly waitingVariantIds: readonly string[];
  },
) => ({
  ...toDecidedDto(a),
  approvedVariantIds: [...a.approvedVariantIds],
  waitingVariantIds: [...a.waitingVariantIds],
});

export const toAiringDto = (a: Airing) => ({
  occurrenceId: a.occurrenceId,
  hamletId: a.hamletId,
  hamletName: a.hamletName,
  at: a.startsAt,
  durationMs: a.durationMs,
  slot: a.slotName,
  priority: a.priority,
  status: a.status,
});
