import type { CapLevel } from './mapping.js';
import type { CapSigner } from './signature.js';

/**
 * What a CAP alert became in one commune: on the air (a disaster bulletin), waiting in the officer's
 * review queue, dismissed by the officer, or taken off by a later message (Update: replaced; Cancel:
 * cancelled) or by its `expires`.
 */
export const CAP_ALERT_STATES = [
  'aired',
  'review',
  'dismissed',
  'replaced',
  'cancelled',
  'expired',
  // Its words wait for a processing node to speak them (the edge); it airs by itself once they are ready.
  'speaking',
] as const;
export type CapAlertState = (typeof CAP_ALERT_STATES)[number];

/** How an alert reached Loa. */
export type CapReceivedVia = 'push' | 'feed';

/** A CAP message as stored. */
export interface CapAlertRecord {
  readonly id: string;
  readonly provinceId: string;
  readonly key: string;
  readonly sender: string;
  readonly identifier: string;
  readonly sent: string;
  readonly status: string;
  readonly msgType: string;
  readonly level: CapLevel | 'none';
  readonly headline: string;
  readonly expiresAt: string | null;
  readonly receivedVia: CapReceivedVia;
  readonly receivedAt: string;
}

/** One alert in one commune: the hamlets it reaches there and what became of it. */
export interface CapCommuneItem {
  readonly id: string;
  readonly alertId: string;
  readonly communeId: string;
  readonly hamletIds: readonly string[];
  readonly state: CapAlertState;
  readonly announcementId: string | null;
  readonly eventId: string | null;
  readonly bulletinId: string | null;
  /** A priority alert's broadcast in the next standing slot. */
  readonly broadcastId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What the intake answers the sender. */
export interface CapIntakeResult {
  readonly id: string;
  /** Who signed the alert, when it carried a verified XML signature (null for a duplicate's answer). */
  readonly signedBy: CapSigner | null;
  readonly duplicate: boolean;
  readonly msgType: string;
  readonly level: CapLevel | 'none';
  readonly communes: readonly {
    readonly communeId: string;
    readonly hamletIds: readonly string[];
    readonly state: CapAlertState;
  }[];
}
