import type {
  ApiTokensRepository,
  AuditRepository,
  RateLimitsRepository,
  SessionsRepository,
  UsersRepository,
} from './repositories/access.js';
import type { AnnouncementsRepository } from './repositories/announcements.js';
import type { BroadcastsRepository } from './repositories/broadcasts.js';
import type { BulletinsRepository, DisasterRepository } from './repositories/bulletins.js';
import type { CapAlertsRepository } from './repositories/cap-alerts.js';
import type { JobsRepository } from './repositories/jobs.js';
import type {
  CommunesRepository,
  HamletsRepository,
  ProvinceReportsRepository,
  ProvincesRepository,
} from './repositories/places.js';
import type { ListenAgainRepository, PlaybackRepository } from './repositories/playback.js';
import type {
  ReceiverAlarmsRepository,
  ReceiverCommandsRepository,
  ReceiverSyncRepository,
  ReceiversRepository,
} from './repositories/receivers.js';
import type { WebhooksRepository } from './repositories/webhooks.js';

// The area ports live beside this file; this file is their index, so importers keep one path.
export type * from './repositories/access.js';
export type * from './repositories/announcements.js';
export type * from './repositories/broadcasts.js';
export type * from './repositories/bulletins.js';
export type * from './repositories/cap-alerts.js';
export type * from './repositories/jobs.js';
export type * from './repositories/places.js';
export type * from './repositories/playback.js';
export type * from './repositories/receivers.js';
export type * from './repositories/webhooks.js';

/**
 * The repositories: the SQL behind the use cases, one port per aggregate. Methods are named for their
 * caller; instants are ISO-8601 UTC strings with milliseconds (they compare as text on every database).
 * None of them opens a transaction of its own: a use case that writes more than once runs them inside
 * one unit of work (`UnitOfWork`).
 */

export interface Repositories {
  readonly capAlerts: CapAlertsRepository;
  readonly disaster: DisasterRepository;
  readonly provinces: ProvincesRepository;
  readonly apiTokens: ApiTokensRepository;
  readonly webhooks: WebhooksRepository;
  readonly provinceReports: ProvinceReportsRepository;
  readonly announcements: AnnouncementsRepository;
  readonly bulletins: BulletinsRepository;
  readonly audit: AuditRepository;
  readonly broadcasts: BroadcastsRepository;
  readonly communes: CommunesRepository;
  readonly hamlets: HamletsRepository;
  readonly jobs: JobsRepository;
  readonly playback: PlaybackRepository;
  readonly receiverSync: ReceiverSyncRepository;
  readonly receivers: ReceiversRepository;
  readonly receiverCommands: ReceiverCommandsRepository;
  readonly receiverAlarms: ReceiverAlarmsRepository;
  readonly listenAgain: ListenAgainRepository;
  readonly sessions: SessionsRepository;
  readonly rateLimits: RateLimitsRepository;
  readonly users: UsersRepository;
}

/**
 * One unit of work (`deps.tx`): runs `work` with repositories bound to one database transaction, and
 * commits what it wrote together, or nothing when it throws. Audit rows and enqueued jobs are written
 * through the same repositories, so they commit with what they describe.
 */
export type UnitOfWork = <T>(work: (r: Repositories) => Promise<T>) => Promise<T>;
