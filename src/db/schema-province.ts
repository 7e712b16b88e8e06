import type { ColumnType } from 'kysely';
import type { BulletinLevel, BulletinPlace, DeliveryDecision } from '../domain/bulletin.js';
import type { CapAlertState } from '../domain/cap/intake.js';
import type { WebhookDeliveryStatus, WebhookEventType } from '../domain/webhook.js';
import type { Instant, Json } from './schema.js';

// The province's tables (tỉnh): the province, its bulletins sent down to the communes, the machine tokens of
// provincial systems, the webhooks to its operations centres and the CAP alerts it receives. Part of
// `Database` in `schema.ts`, which names every table.

export interface ProvinceTable {
  id: string;
  code: string;
  name: string;
  created_at: Instant;
  updated_at: Instant;
}

/** A machine token of a provincial system that pulls the province's reports (stored as a digest). */
export interface ApiTokenTable {
  id: string;
  province_id: string;
  name: string;
  token_hash: string;
  created_by: string;
  created_at: Instant;
  revoked_at: Instant | null;
  last_used_at: ColumnType<Instant | null, Instant | null | undefined, Instant | null>;
  /** What it opens, as a JSON list (`["export:read"]`, `["alerts:write"]`). */
  scopes: ColumnType<Json, Json | undefined, Json>;
}

/** A bulletin of the province (bản tin); its content is the announcement `announcement_id`. */
export interface BulletinTable {
  id: string;
  province_id: string;
  announcement_id: string;
  title: string;
  level: BulletinLevel;
  /** Chosen commune ids as JSON; null for the whole province. */
  commune_ids: Json | null;
  answer_by: Instant | null;
  created_by: string;
  created_at: Instant;
  sent_at: Instant | null;
}

/** One target commune of a bulletin: its copy of the content and its decision. */
export interface BulletinDeliveryTable {
  bulletin_id: string;
  commune_id: string;
  announcement_id: string;
  decision: DeliveryDecision;
  /** Broadcast ids as JSON. */
  broadcast_ids: Json;
  first_airing_at: Instant | null;
  decline_reason: string | null;
  decided_by: string | null;
  decided_at: Instant | null;
  /** Where the commune put a priority bulletin against its own priority items (BulletinPlace). */
  slot_place: ColumnType<BulletinPlace | null, BulletinPlace | null | undefined, BulletinPlace | null>;
  /**
   * Priority and emergency: when it became due for the province's placement (the send); null once booked,
   * refused by a rule, or answered by the commune (0034).
   */
  placement_due_at: ColumnType<Instant | null, Instant | null | undefined, Instant | null>;
  created_at: Instant;
  updated_at: Instant;
}

/** An operations centre's endpoint; the signing secret is sealed with a key kept outside the database. */
export interface WebhookEndpointTable {
  id: string;
  province_id: string;
  url: string;
  /** Subscribed event types as JSON. */
  events: Json;
  description: string | null;
  secret_sealed: string;
  created_by: string;
  created_at: Instant;
  disabled_at: Instant | null;
}

/** One fact to announce; `dedupe_key` is unique, so the same fact noticed twice is one event. */
export interface WebhookEventTable {
  id: string;
  province_id: string;
  type: WebhookEventType;
  dedupe_key: string;
  /** The delivery body exactly as sent (and signed) on every attempt. */
  body: string;
  occurred_at: Instant;
  created_at: Instant;
}

/** One event to one endpoint: (event_id, endpoint_id) is unique; each attempt is leased. */
export interface WebhookDeliveryTable {
  id: string;
  event_id: string;
  endpoint_id: string;
  status: WebhookDeliveryStatus;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Instant | null;
  lease_until: Instant | null;
  leased_by: string | null;
  last_error: string | null;
  created_at: Instant;
  updated_at: Instant;
  delivered_at: Instant | null;
}

export interface WebhookAttemptTable {
  id: string;
  delivery_id: string;
  attempt: number;
  started_at: Instant;
  finished_at: Instant | null;
  status_code: number | null;
  duration_ms: number | null;
  error: string | null;
}

/** A CAP 1.2 message received (push or feed), kept with its document. */
export interface CapAlertTable {
  id: string;
  province_id: string;
  /** sender,identifier,sent (UTC): duplicates share it. */
  alert_key: string;
  sender: string;
  identifier: string;
  sent: Instant;
  status: string;
  msg_type: string;
  level: string;
  headline: string;
  expires_at: Instant | null;
  received_via: string;
  document: string;
  received_at: Instant;
}

/** What one alert became in one commune. */
export interface CapAlertCommuneTable {
  id: string;
  alert_id: string;
  commune_id: string;
  hamlet_ids: Json;
  state: CapAlertState;
  announcement_id: string | null;
  event_id: string | null;
  bulletin_id: string | null;
  broadcast_id: string | null;
  created_at: Instant;
  updated_at: Instant;
}
