import type { CapAlertRecord, CapAlertState, CapCommuneItem } from '../../cap/intake.js';
import type { CapLevel } from '../../cap/mapping.js';

/** A commune's CAP item with what the officer needs to decide on it. */
export interface CapQueueItem extends CapCommuneItem {
  readonly headline: string;
  readonly sender: string;
  readonly sent: string;
  readonly msgType: string;
  readonly level: CapLevel | 'none';
  readonly expiresAt: string | null;
}

/** CAP 1.2 alerts received, and what each became in each commune. */
export interface CapAlertsRepository {
  insertAlert(a: CapAlertRecord, document: string): Promise<void>;
  findAlert(id: string): Promise<CapAlertRecord | undefined>;
  /** The document as it was received. */
  findDocument(id: string): Promise<string | undefined>;
  findAlertByKey(provinceId: string, key: string): Promise<CapAlertRecord | undefined>;
  findAlertsByKeys(provinceId: string, keys: readonly string[]): Promise<readonly CapAlertRecord[]>;
  insertItem(item: CapCommuneItem): Promise<void>;
  /** Changes an item, only while it is in one of `onlyFrom` when given; answers whether it changed it. */
  updateItem(
    id: string,
    changes: {
      readonly state?: CapAlertState;
      readonly bulletinId?: string | null;
      readonly eventId?: string | null;
      readonly broadcastId?: string | null;
    },
    now: string,
    onlyFrom?: readonly CapAlertState[],
  ): Promise<boolean>;
  findItem(id: string): Promise<CapCommuneItem | undefined>;
  listItemsOfAlerts(alertIds: readonly string[]): Promise<readonly CapCommuneItem[]>;
  /** The items of these disaster events still on the air or waiting (aired, review, speaking). */
  listLiveItemsOfEvents(eventIds: readonly string[]): Promise<readonly CapCommuneItem[]>;
  /** A commune's items, newest first (at most 200), in these states or all. */
  listCommuneItems(communeId: string, states?: readonly CapAlertState[]): Promise<readonly CapQueueItem[]>;
  /** Items on the air or waiting in the review queue whose alert has expired by `now`. */
  listExpired(now: string): Promise<readonly CapCommuneItem[]>;
  /** Items `speaking` whose words a processing node has spoken (their announcement is ready). */
  listSpokenWaiting(): Promise<readonly CapCommuneItem[]>;
}
