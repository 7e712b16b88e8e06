import type { Page, PageRequest } from '../../page.js';
import type {
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookEndpoint,
  WebhookEventRecord,
  WebhookEventType,
} from '../../webhook.js';

/** A delivery leased for one attempt, with what sending it needs. */
export interface LeasedDelivery {
  readonly id: string;
  readonly eventId: string;
  readonly endpointId: string;
  /** This attempt's number, 1-based. */
  readonly attempt: number;
  readonly url: string;
  readonly sealedSecret: string;
  /** The body exactly as stored: every attempt sends the same bytes. */
  readonly body: string;
}

export interface WebhooksRepository {
  insertEndpoint(endpoint: WebhookEndpoint & { readonly sealedSecret: string }, now: string): Promise<void>;
  /** The province's endpoints, newest first, disabled ones too. */
  listEndpoints(provinceId: string): Promise<readonly WebhookEndpoint[]>;
  findEndpoint(provinceId: string, id: string): Promise<WebhookEndpoint | undefined>;
  /** Disables an enabled endpoint of the province; false when there is none to disable. */
  disableEndpoint(provinceId: string, id: string, now: string): Promise<boolean>;
  /** Enabled endpoints of the province that subscribed to `type`. */
  listSubscribedEndpointIds(provinceId: string, type: WebhookEventType): Promise<readonly string[]>;
  /** Stores each event unless one with its key exists; returns the ids of those that were new. */
  insertEvents(events: readonly WebhookEventRecord[], now: string): Promise<readonly string[]>;
  /** One delivery per (event, endpoint); an existing one is kept. */
  insertDeliveries(
    deliveries: readonly { readonly id: string; readonly eventId: string; readonly endpointId: string }[],
    now: string,
  ): Promise<void>;
  /**
   * Claims up to `limit` pending deliveries due at `now` whose lease is free or expired, for `worker`
   * until `leaseUntil`, counting the attempt. Two workers never both win the same attempt.
   */
  leaseDueDeliveries(
    worker: string,
    now: string,
    leaseUntil: string,
    limit: number,
  ): Promise<readonly LeasedDelivery[]>;
  /** Records that an attempt started (before anything is sent). */
  startAttempt(attempt: {
    readonly id: string;
    readonly deliveryId: string;
    readonly attempt: number;
    readonly startedAt: string;
  }): Promise<void>;
  finishAttempt(
    deliveryId: string,
    attempt: number,
    result: {
      readonly statusCode: number | null;
      readonly durationMs: number;
      readonly error: string | null;
      readonly finishedAt: string;
    },
  ): Promise<void>;
  /**
   * Settles the attempt `worker` holds: delivered, pending again until `nextAttemptAt`, or failed for
   * good; false when its lease was lost meanwhile (another worker owns the delivery now).
   */
  settleDelivery(
    id: string,
    worker: string,
    outcome: {
      readonly status: WebhookDeliveryStatus;
      readonly nextAttemptAt: string | null;
      readonly error: string | null;
    },
    now: string,
  ): Promise<boolean>;
  /** An endpoint's deliveries, newest first, each with its attempts. */
  listDeliveries(endpointId: string, page: PageRequest): Promise<Page<WebhookDelivery>>;
  /** How many deliveries of each endpoint are pending and failed. */
  countOpenDeliveries(
    endpointIds: readonly string[],
  ): Promise<readonly { readonly endpointId: string; readonly pending: number; readonly failed: number }[]>;
}
