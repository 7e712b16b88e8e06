import { z } from '@hono/zod-openapi';
import {
  BULLETIN_LEVELS,
  BULLETIN_PLACES,
  DELIVERY_DECISIONS,
  DELIVERY_STATUSES,
  TextBulletinSchema,
  type Bulletin,
} from '../../domain/bulletin.js';
import type { DeliveryView } from '../../services/bulletin-inbox.js';
import { named } from '../schemas.js';

/** The answers of the bulletin routes (`bulletins.ts`) as OpenAPI schemas, and the DTOs that fill them. */

export const TextInput = named(TextBulletinSchema, 'TextBulletinInput');

export const DeliverySchema = z
  .object({
    communeId: z.string(),
    communeName: z.string(),
    announcementId: z.string().openapi({
      description: "The commune's copy of the content: its own language versions are added to it",
    }),
    decision: z.enum(DELIVERY_DECISIONS),
    status: z.enum(DELIVERY_STATUSES),
    broadcastIds: z.array(z.string()),
    firstAiringAt: z.string().nullable(),
    declineReason: z.string().nullable(),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
    slotPlace: z.enum(BULLETIN_PLACES).nullable().openapi({
      description: 'Priority: where the commune put it against its own priority items (null: as booked)',
    }),
    airedReceivers: z.number().int(),
    createdAt: z.string(),
  })
  .openapi('BulletinDelivery');

const BulletinFields = {
  id: z.string(),
  title: z.string(),
  level: z.enum(BULLETIN_LEVELS),
  announcementId: z.string(),
  communeIds: z.array(z.string()).nullable().openapi({ description: 'null: the whole province' }),
  answerBy: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
};

export const BulletinSchema = z
  .object({ ...BulletinFields, deliveries: z.array(DeliverySchema) })
  .openapi('Bulletin');

export const InboxItemSchema = z
  .object({ bulletin: z.object(BulletinFields), delivery: DeliverySchema })
  .openapi('BulletinInboxItem');

export const Placement = z.object({
  communeId: z.string(),
  broadcastId: z.string().nullable(),
  problem: z.string().nullable().openapi({ description: 'Why the booking was refused (Vietnamese)' }),
});

export const ProofSchema = z
  .object({
    bulletin: BulletinSchema,
    receivers: z.array(
      z.object({
        communeId: z.string(),
        hamletId: z.string(),
        hamletName: z.string(),
        receiverId: z.string(),
        receiverName: z.string(),
        startedAt: z.string().nullable(),
        completedAt: z.string().nullable(),
        failedAt: z.string().nullable(),
      }),
    ),
  })
  .openapi('BulletinProof');

export const Scheduled = z.object({
  id: z.string(),
  occurrences: z.array(
    z.object({
      id: z.string(),
      hamletId: z.string(),
      at: z.string(),
      durationMs: z.number().int(),
      slot: z.string().nullable(),
    }),
  ),
  displaced: z.array(z.object({ id: z.string(), hamletId: z.string(), at: z.string(), title: z.string() })),
});

export const bulletinDto = (b: Bulletin) => ({
  id: b.id,
  title: b.title,
  level: b.level,
  announcementId: b.announcementId,
  communeIds: b.communeIds ? [...b.communeIds] : null,
  answerBy: b.answerBy,
  createdBy: b.createdBy,
  createdAt: b.createdAt,
  sentAt: b.sentAt,
});

export const deliveryDto = (d: DeliveryView) => ({
  communeId: d.communeId,
  communeName: d.communeName,
  announcementId: d.announcementId,
  decision: d.decision,
  status: d.status,
  broadcastIds: [...d.broadcastIds],
  firstAiringAt: d.firstAiringAt,
  declineReason: d.declineReason,
  decidedBy: d.decidedBy,
  decidedAt: d.decidedAt,
  slotPlace: d.slotPlace,
  airedReceivers: d.airedReceivers,
  createdAt: d.createdAt,
});

export const viewDto = (b: Bulletin & { deliveries: readonly DeliveryView[] }) => ({
  ...bulletinDto(b),
  deliveries: b.deliveries.map(deliveryDto),
});
