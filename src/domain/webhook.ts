import type { BulletinLevel } from './bulletin.js';
import { z } from 'zod';
import { humanText } from './input.js';
import type { AlarmKind } from './receiver/alarm.js';
import { hasUserinfo, isIpAddress, isLocalName, isPublicAddress } from './relay-url.js';

/**
 * Signed outbound webhooks for the province's operations centre (trung tâm điều hành): what happened,
 * pushed to an HTTPS endpoint the province admin registers, signed per the Standard Webhooks
 * specification (https://www.standardwebhooks.com/), retried with back-off and recorded attempt by
 * attempt.
 */

/** The events an endpoint may subscribe to. `bulletin.aired` joins them with the province's bulletins. */
export const WEBHOOK_EVENT_TYPES = [
  'receiver.offline',
  'emergency.sent',
  'receiver.alarm',
  'receiver.alarm_cleared',
  'bulletin.aired',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const WebhookEndpointInputSchema = z.strictObject({
  url: z.string().trim().min(1, 'must not be empty').max(2000, 'must be at most 2000 characters'),
  events: z
    .array(z.enum(WEBHOOK_EVENT_TYPES))
    .min(1, 'choose at least one event')
    .transform((events) => [...new Set(events)].sort()),
  description: humanText(200).optional(),
});
export type WebhookEndpointInput = z.output<typeof WebhookEndpointInputSchema>;

/** An endpoint as people manage it; its secret is never read back (shown once, kept sealed). */
export interface WebhookEndpoint {
  readonly id: string;
  readonly provinceId: string;
  readonly url: string;
  readonly events: readonly WebhookEventType[];
  readonly description: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly disabledAt: string | null;
}

/** Why a webhook URL is refused, for `detail` and `detailVi`. */
export interface WebhookUrlProblem {
  readonly en: string;
  readonly vi: string;
}

export interface WebhookNetworkRule {
  /**
   * Endpoints on the province's own network (`WEBHOOK_ALLOW_PRIVATE=1`): private, loopback and
   * link-local addresses are accepted, and plain http to them.
   */
  readonly allowPrivate: boolean;
  /** Plain http to public addresses too: a CAP feed is only read, and nothing secret goes with the request. */
  readonly publicHttp?: boolean;
}

const privateProblem = (what: string): WebhookUrlProblem => ({
  en: `points to a private or local address (${what}); give the operations centre's public https address`,
  vi: `trỏ tới địa chỉ nội bộ (${what}); hãy dùng địa chỉ https công khai của trung tâm điều hành`,
});

/**
 * Why a webhook URL is refused as written, or null: https only (http only when private networks are
 * allowed), no userinfo, and a host that is a public address or a public-looking name. Names are
 * resolved afterwards, at registration and again at every delivery ({@link webhookAddressProblem}).
 * The same reading of URLs as for relays (`relay-url.ts`): `https://2130706433/` is 127.0.0.1.
 */
export function webhookUrlProblem(raw: string, rule: WebhookNetworkRule): WebhookUrlProblem | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { en: 'is not a valid URL', vi: 'không phải là địa chỉ hợp lệ' };
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && rule.allowPrivate)) {
    return {
      en: `must be https (got ${url.protocol})`,
      vi: `phải bắt đầu bằng https:// (không dùng ${url.protocol})`,
    };
  }
  if (hasUserinfo(raw, url)) {
    return {
      en: 'must not contain a user name or password (user@…)',
      vi: 'không được chứa tên đăng nhập hay mật khẩu (phần trước dấu @)',
    };
  }
  if (rule.allowPrivate) return null;
  const host = url.hostname;
  if (isIpAddress(host)) return isPublicAddress(host) ? null : privateProblem(host);
  if (isLocalName(host)) return privateProblem(host);
  return null;
}

/**
 * Why a delivery must not go to these addresses of the URL's host (all its DNS answers), or null: one
 * address inside a local network is enough to refuse, since a connection may reach any of them; plain
 * http goes only to addresses of the province's own network.
 * @example webhookAddressProblem('https://hooks.example.vn/loa', ['127.0.0.1'], { allowPrivate: false })
 * // → { en: 'resolves to a private or local address (hooks.example.vn → 127.0.0.1) …', … }
 */
export function webhookAddressProblem(
  raw: string,
  addresses: readonly string[],
  rule: WebhookNetworkRule,
): WebhookUrlProblem | null {
  const url = new URL(raw);
  if (addresses.length === 0) {
    return {
      en: `has a host name that does not resolve (${url.hostname})`,
      vi: `có tên miền không phân giải được (${url.hostname})`,
    };
  }
  const inside = addresses.filter((a) => !isPublicAddress(a));
  if (inside.length > 0 && !rule.allowPrivate) {
    return {
      en: `resolves to a private or local address (${url.hostname} → ${inside.join(', ')}); give the operations centre's public https address`,
      vi: `trỏ tới địa chỉ nội bộ (${url.hostname} → ${inside.join(', ')}); hãy dùng địa chỉ https công khai của trung tâm điều hành`,
    };
  }
  if (url.protocol === 'http:' && !rule.publicHttp && inside.length < addresses.length) {
    return {
      en: `uses plain http to a public address (${url.hostname}); use https`,
      vi: `dùng http không mã hóa tới địa chỉ công khai (${url.hostname}); hãy dùng https`,
    };
  }
  return null;
}

/** What happened to a receiver that stopped sending heartbeats. */
export interface ReceiverOfflineData {
  readonly receiverId: string;
  readonly receiverName: string;
  readonly communeId: string;
  readonly communeName: string;
  readonly hamletId: string;
  readonly hamletName: string;
  readonly lastHeartbeatAt: string;
  /** When its last heartbeat stopped keeping it online: one online window after it. */
  readonly offlineSince: string;
}

/** An emergency a commune sent to its hamlets' receivers (khẩn cấp). */
export interface EmergencySentData {
  readonly broadcastId: string;
  readonly communeId: string;
  readonly communeName: string;
  readonly hamletIds: readonly string[];
  /** Its first airing. */
  readonly startsAt: string;
  readonly title: string;
  readonly sentBy: string;
}

/** An alarm of a receiver raised or cleared: a technician is called, or told it is over. */
export interface ReceiverAlarmData {
  readonly alarmId: string;
  /** missed_heartbeats | low_storage | playback_failing */
  readonly kind: AlarmKind;
  readonly detail: string;
  readonly receiverId: string;
  readonly receiverName: string;
  readonly communeId: string;
  readonly communeName: string;
  readonly hamletId: string;
  readonly hamletName: string;
  readonly startedAt: string;
  readonly clearedAt: string | null;
}

/** A province bulletin aired in a commune: the first box there reported starting it (once per commune). */
export interface BulletinAiredData {
  readonly bulletinId: string;
  readonly title: string;
  readonly level: BulletinLevel;
  readonly communeId: string;
  readonly communeName: string;
  /** The box whose report came first, and when it said it started. */
  readonly receiverId: string;
  readonly startedAt: string;
}

/**
 * The body of a delivery, in the Standard Webhooks shape: `type`, `timestamp` (when it happened) and
 * `data`. Its `webhook-id` header is the event's id, the same on every retry, so a receiver dedupes.
 */
export type WebhookPayload =
  | { readonly type: 'receiver.offline'; readonly timestamp: string; readonly data: ReceiverOfflineData }
  | { readonly type: 'emergency.sent'; readonly timestamp: string; readonly data: EmergencySentData }
  | { readonly type: 'receiver.alarm'; readonly timestamp: string; readonly data: ReceiverAlarmData }
  | { readonly type: 'receiver.alarm_cleared'; readonly timestamp: string; readonly data: ReceiverAlarmData }
  | { readonly type: 'bulletin.aired'; readonly timestamp: string; readonly data: BulletinAiredData };

/** An event to deliver to every endpoint of the province that subscribed to its type. */
export interface WebhookEventRecord {
  readonly id: string;
  readonly provinceId: string;
  /** At most one event per key: the same fact noticed twice (two instances, a retry) is one event. */
  readonly dedupeKey: string;
  readonly payload: WebhookPayload;
}

/** A delivery's life: retried while pending, then delivered (a 2xx answer) or failed for good. */
export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** Attempts a delivery gets before it fails for good: about 14 hours of retries. */
export const WEBHOOK_MAX_ATTEMPTS = 12;

/**
 * How long after failed attempt `attempt` (1-based) the next one is made: 30 s, 1 min, 2 min … doubling,
 * at most 6 hours apart.
 * @example webhookRetryDelayMs(1) // → 30_000
 * @example webhookRetryDelayMs(11) // → 21_600_000
 */
export function webhookRetryDelayMs(attempt: number): number {
  return Math.min(6 * 3_600_000, 30_000 * 2 ** Math.max(0, attempt - 1));
}

/** One attempt of a delivery as recorded: null result fields while none was recorded (a crash). */
export interface WebhookAttempt {
  readonly attempt: number;
  readonly startedAt: string;
  readonly statusCode: number | null;
  readonly durationMs: number | null;
  readonly error: string | null;
  readonly finishedAt: string | null;
}

export interface WebhookDelivery {
  readonly id: string;
  readonly eventId: string;
  readonly endpointId: string;
  readonly type: WebhookEventType;
  readonly status: WebhookDeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly createdAt: string;
  readonly deliveredAt: string | null;
  readonly attemptLog: readonly WebhookAttempt[];
}

/**
 * The text a Standard Webhooks signature covers: the message id, the attempt's timestamp (seconds) and
 * the body, joined by dots. The signature is `v1,` + base64(HMAC-SHA256(secret, this)).
 */
export const signedContent = (id: string, timestampS: number, body: string): string =>
  `${id}.${timestampS}.${body}`;

/** Secrets are `whsec_` + base64 of 24 random bytes, the form Standard Webhooks libraries read. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';
