import type { ColumnType } from 'kysely';
import type { Role } from '../domain/actor.js';
import type { Approval, AudioFormat, ProcessingStatus, SourceKind } from '../domain/announcement.js';
import type { AuditActorKind } from '../domain/audit.js';
import type { OccurrenceStatus } from '../domain/broadcast.js';
import type { BulletinEnd, DisasterEventStatus, HazardType } from '../domain/disaster.js';
import type { JobStatus } from '../domain/ports/jobs.js';
import type { LogEventType } from '../domain/receiver/protocol.js';
import type { Priority } from '../domain/schedule/types.js';
import type { CommandKind, CommandState } from '../domain/receiver/command.js';
import type { AlarmKind } from '../domain/receiver/alarm.js';
import type {
  ProvinceTable,
  ApiTokenTable,
  BulletinTable,
  BulletinDeliveryTable,
  WebhookEndpointTable,
  WebhookEventTable,
  WebhookDeliveryTable,
  WebhookAttemptTable,
  CapAlertTable,
  CapAlertCommuneTable,
} from './schema-province.js';

/**
 * Table types. Instants are ISO-8601 UTC strings with milliseconds (`2026-11-27T05:30:00.000Z`), which
 * sort and compare the same way as text on SQLite and PostgreSQL; flags are nullable timestamps; JSON
 * values are text, encoded by the repositories.
 */
export interface Database {
  provinces: ProvinceTable;
  communes: CommuneTable;
  api_tokens: ApiTokenTable;
  hamlets: HamletTable;
  users: UserTable;
  user_hamlets: UserHamletTable;
  sessions: SessionTable;
  rate_limits: RateLimitTable;
  receivers: ReceiverTable;
  receiver_off_periods: ReceiverOffPeriodTable;
  receiver_hamlet_stretches: ReceiverHamletStretchTable;
  announcements: AnnouncementTable;
  bulletins: BulletinTable;
  bulletin_deliveries: BulletinDeliveryTable;
  announcement_variants: AnnouncementVariantTable;
  audio_assets: AudioAssetTable;
  broadcasts: BroadcastTable;
  occurrences: OccurrenceTable;
  playback_events: PlaybackEventTable;
  receiver_heartbeats: ReceiverHeartbeatTable;
  jobs: JobTable;
  audit_log: AuditLogTable;
  webhook_endpoints: WebhookEndpointTable;
  webhook_events: WebhookEventTable;
  webhook_deliveries: WebhookDeliveryTable;
  webhook_attempts: WebhookAttemptTable;
  receiver_commands: ReceiverCommandTable;
  receiver_alarms: ReceiverAlarmTable;
  disaster_events: DisasterEventTable;
  disaster_bulletins: DisasterBulletinTable;
  cap_alerts: CapAlertTable;
  cap_alert_communes: CapAlertCommuneTable;
}

export type Instant = string;
export type Json = string;

export interface CommuneTable {
  id: string;
  name: string;
  code: string;
  province_code: string;
  province_id: ColumnType<string | null, string | null | undefined, string | null>;
  time_zone: string;
  /** CommuneSettings as JSON: quiet hours, slots, approval, audio targets. */
  settings: Json;
  /** Set when an admin changes the settings in the app; from then on the commune file does not override them. */
  settings_edited_at: ColumnType<Instant | null, Instant | null | undefined, Instant | null>;
  /** One more on every change of the settings (or of what the commune file sets): the commune's ETag. */
  settings_version: ColumnType<number, number | undefined, number>;
  deleted_at: ColumnType<Instant | null, Instant | null | undefined, Instant | null>;
  created_at: Instant;
  updated_at: Instant;
}

// thôn
export interface HamletTable {
  id: string;
  commune_id: string;
  name: string;
  /**
   * `hamletNameKey(name)`, unique among the commune's live hamlets: what names are refused by. Null only
   * in rows written past the repository; 0030 gave the newer of two names that folded alike `twinNameKey`.
   */
  name_key: ColumnType<string | null, string | undefined, string>;
  /** Language codes in play order, e.g. ["vi","giay"]. */
  languages: Json;
  lat: number | null;
  lon: number | null;
  /** 1 for placeholder rows of the example commune. */
  is_example: ColumnType<number, number | undefined, number>;
  /** Bumped whenever the hamlet's future schedule changes; receivers' manifest ETag. */
  schedule_version: ColumnType<number, number | undefined, number>;
  created_at: Instant;
  updated_at: Instant;
  deleted_at: Instant | null;
}

export interface UserTable {
  id: string;
  /** As it was typed when the account was made (NFC), for display. */
  username: string;
  /**
   * `usernameKey(username)`, unique: what names are looked up and refused by. Null only in rows written
   * past the repository; 0029 gave the newer of two names that folded alike a key of its own.
   */
  username_key: ColumnType<string | null, string | undefined, string>;
  display_name: string;
  password_hash: string;
  role: Role;
  commune_id: string;
  disabled_at: Instant | null;
  created_at: Instant;
  updated_at: Instant;
}

export interface UserHamletTable {
  user_id: string;
  hamlet_id: string;
}

export interface SessionTable {
  id: string;
  token_hash: string;
  user_id: string;
  created_at: Instant;
  expires_at: Instant;
  revoked_at: Instant | null;
}

/** Attempts per key in a fixed window (`src/services/rate-limiter.ts`). */
export interface RateLimitTable {
  key: string;
  count: number;
  reset_at: Instant;
}

export interface ReceiverTable {
  id: string;
  hamlet_id: string;
  name: string;
  token_hash: string;
  disabled_at: Instant | null;
  is_example: ColumnType<number, number | undefined, number>;
  last_seen_at: Instant | null;
  /** Latest heartbeat as JSON. */
  last_state: Json | null;
  /** The first heartbeat of its current online stretch (null before it was recorded). */
  online_since: ColumnType<Instant | null, Instant | null | undefined, Instant | null>;
  /** Free storage of its latest heartbeat, for the low-storage alarm. */
  free_bytes: ColumnType<number | null, number | null | undefined, number | null>;
  /** Failed playbacks in a row, as reported; a completed one resets it. */
  playback_failures: ColumnType<number, number | undefined, number>;
  /**
   * When it was moved to its current hamlet (null: made there). The reports read where it was when from
   * `receiver_hamlet_stretches`.
   */
  arrived_at: ColumnType<Instant | null, Instant | null | undefined, Instant | null>;
  created_at: Instant;
  updated_at: Instant;
}

/** A stretch a receiver was switched off, once it is switched on again. */
export interface ReceiverOffPeriodTable {
  receiver_id: string;
  off_from: Instant;
  off_until: Instant;
}

/** A receiver's stay in one hamlet: from `arrived_at` until `left_at` (null while it is there). */
export interface ReceiverHamletStretchTable {
  receiver_id: string;
  hamlet_id: string;
  arrived_at: Instant;
  left_at: Instant | null;
}

export interface AnnouncementTable {
  id: string;
  commune_id: string;
  /** The secretary's hamlet; null for commune-wide content from the commune office. */
  hamlet_id: string | null;
  title: string;
  category: string;
  created_by: string;
  status: ProcessingStatus;
  error: string | null;
  approval: Approval;
  approval_reason: string | null;
  approved_by: string | null;
  approved_at: Instant | null;
  /** Withdrawn by its author or the office: off the air, never booked again. */
  withdrawn_at: ColumnType<Instant | null, Instant | null | undefined, Instant | null>;
  withdrawn_by: ColumnType<string | null, string | null | undefined, string | null>;
  /** A commune's copy of a province bulletin: the bulletin it came with. */
  bulletin_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The key the request that made it was sent under; (commune_id, idempotency_key) is unique. */
  idempotency_key: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Instant;
  updated_at: Instant;
}

export interface AnnouncementVariantTable {
  id: string;
  announcement_id: string;
  language: string;
  source_kind: SourceKind;
  /** Original upload kept in the media store for retries (sha256.ext). */
  source_key: string | null;
  source_name: string | null;
  text: string | null;
  voice: string | null;
  status: ProcessingStatus;
  error: string | null;
  audio_sha256: string | null;
  opus_sha256: string | null;
  /** This version's approval: a version added later waits for the office while the others air. */
  approval: ColumnType<Approval, Approval | undefined, Approval>;
  /** SourceProbe as JSON: what the check at upload found. */
  probe: ColumnType<Json | null, Json | null | undefined, Json | null>;
  created_at: Instant;
  updated_at: Instant;
}

export interface AudioAssetTable {
  sha256: string;
  format: AudioFormat;
  bytes: number;
  duration_ms: number;
  integrated_lufs: number;
  true_peak_dbtp: number;
  lra_lu: number;
  source_codec: string;
  source_duration_ms: number;
  source_lufs: number | null;
  /** Waveform peaks, 0..1, as JSON. */
  peaks: Json;
  created_at: Instant;
}

export interface BroadcastTable {
  id: string;
  commune_id: string;
  announcement_id: string | null;
  relay_url: string | null;
  relay_duration_s: number | null;
  /** Target hamlet ids as JSON. */
  hamlet_ids: Json;
  /** The `when` of the request as JSON (at | slot | recurrence | emergency repeat). */
  schedule: Json;
  priority: Priority;
  created_by: string;
  created_at: Instant;
  cancelled_at: Instant | null;
  cancelled_by: string | null;
  /** Occurrences exist up to here; the dispatcher extends it with the rolling horizon. */
  materialised_until: Instant | null;
  /** A series' first start beyond `materialised_until`; null once it has none left. */
  next_start_at: ColumnType<Instant | null, Instant | null | undefined, Instant | null>;
  /** Airings of a series left out one by one, `[{hamletId, at}]` as JSON. */
  skips: ColumnType<Json, Json | undefined, Json>;
  /**
   * In a slot, items of one priority play in the order they were booked; a commune that moves a province
   * bulletin against its own priority items sets the instant it is ordered by instead.
   */
  slot_order_at: ColumnType<Instant | null, Instant | null | undefined, Instant | null>;
  /** Audio played before the content (a disaster bulletin's spoken header) and its duration. */
  lead_audio_sha256: ColumnType<string | null, string | null | undefined, string | null>;
  lead_duration_ms: ColumnType<number | null, number | null | undefined, number | null>;
  /** The booking it was made in: its own id, or one shared by a province's emergency in every commune. */
  booking_id: string | null;
  /** The key the request that made it was sent under; (commune_id, idempotency_key) is unique. */
  idempotency_key: ColumnType<string | null, string | null | undefined, string | null>;
}

// sự kiện thiên tai
export interface DisasterEventTable {
  id: string;
  commune_id: string;
  name: string;
  hazard_type: HazardType;
  status: DisasterEventStatus;
  created_by: string;
  created_at: Instant;
  ended_at: Instant | null;
  ended_by: string | null;
  /** The key the request that made it was sent under; (commune_id, idempotency_key) is unique. */
  idempotency_key: ColumnType<string | null, string | null | undefined, string | null>;
}

// bản tin thiên tai
export interface DisasterBulletinTable {
  id: string;
  event_id: string;
  commune_id: string;
  sequence: number;
  announcement_id: string;
  broadcast_id: string;
  risk_level: number;
  hazard_type: HazardType;
  agency: string;
  issued_at: Instant;
  every_hours: number;
  header_text: string;
  header_sha256: string;
  created_by: string;
  created_at: Instant;
  ended_at: Instant | null;
  end_reason: BulletinEnd | null;
  /** The key the request that made it was sent under; (commune_id, idempotency_key) is unique. */
  idempotency_key: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface OccurrenceTable {
  id: string;
  broadcast_id: string;
  hamlet_id: string;
  starts_at: Instant;
  duration_ms: number;
  priority: Priority;
  slot_name: string | null;
  status: OccurrenceStatus;
  created_at: Instant;
  updated_at: Instant;
}

export interface PlaybackEventTable {
  id: string;
  receiver_id: string;
  /** The receiver's own event id; (receiver_id, event_id) is unique so retried batches are idempotent. */
  event_id: string;
  occurrence_id: string;
  type: LogEventType;
  at: Instant;
  detail: string | null;
  /** On `started`: the SHA-256 of the audio the box played (agents that send it). */
  audio_sha256: ColumnType<string | null, string | null | undefined, string | null>;
  received_at: Instant;
}

export interface ReceiverHeartbeatTable {
  id: string;
  receiver_id: string;
  at: Instant;
  volume: number;
  uptime_s: number;
  free_bytes: number;
  signal: number | null;
  app_version: string;
}

export interface JobTable {
  id: string;
  name: string;
  data: Json;
  status: JobStatus;
  attempts: ColumnType<number, number | undefined, number>;
  max_attempts: number;
  run_at: Instant;
  lease_until: Instant | null;
  leased_by: string | null;
  last_error: string | null;
  created_at: Instant;
  updated_at: Instant;
}

export interface AuditLogTable {
  id: string;
  at: Instant;
  actor_id: string | null;
  actor_kind: AuditActorKind;
  action: string;
  target_type: string;
  target_id: string | null;
  details: Json | null;
  request_id: string | null;
}

/** A command issued to one receiver (điều khiển từ xa) and what became of it. */
export interface ReceiverCommandTable {
  id: string;
  receiver_id: string;
  hamlet_id: string;
  kind: CommandKind;
  /** CommandArgs as JSON. */
  args: Json;
  issued_by: string;
  issued_at: Instant;
  expires_at: Instant;
  state: CommandState;
  delivered_at: Instant | null;
  answered_at: Instant | null;
  result: string | null;
}

/** An alarm of one receiver, open while `cleared_at` is null. */
export interface ReceiverAlarmTable {
  id: string;
  receiver_id: string;
  kind: AlarmKind;
  started_at: Instant;
  cleared_at: Instant | null;
  detail: string;
}
