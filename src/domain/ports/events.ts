import type { AlarmKind, AlarmSubject } from '../receiver/alarm.js';
import type { CommandMessage } from '../receiver/command.js';
import type { BulletinLevel } from '../bulletin.js';

/**
 * The event bus between the services that change schedules and receivers (broadcasts, dispatcher,
 * receivers) and the receivers' push channel. One process (SQLite) uses the in-process bus below; several
 * API instances on PostgreSQL share one through LISTEN/NOTIFY (`src/events/pg-event-bus.node.ts`), so that an
 * event published on one instance reaches the channels held by every other. The receivers' schedule
 * version (ETag) stays the source of truth: a missed push only delays a receiver until its next poll.
 */
export type LoaEvent =
  /** The future schedule of these hamlets changed; `versions` are their new schedule versions. */
  | { readonly type: 'schedule-changed'; readonly versions: Readonly<Record<string, number>> }
  /**
   * An emergency booking must start now: in each hamlet it reaches, its first occurrence due by `dueBy`.
   * One event per booking, however many hamlets and communes it covers (a province's bulletin booked in
   * every commune shares one booking): each instance looks the items up once for the hamlets it holds
   * channels for, instead of once per hamlet.
   */
  | { readonly type: 'emergency'; readonly bookingId: string; readonly dueBy: string }
  /** Stop what is playing on these hamlets' receivers (`null`: whatever plays; an emergency cancelled). */
  | {
      readonly type: 'stop';
      readonly hamletIds: readonly string[];
      readonly occurrenceId: string | null;
    }
  /** A receiver's token was rotated or the receiver disabled or moved: close its open push channels. */
  | { readonly type: 'receiver-revoked'; readonly receiverId: string }
  /**
   * A receiver's heartbeats stopped: its last one no longer keeps it online (noticed by the dispatcher).
   * Named in full, so that every instance can tell the province's operations centre without a lookup.
   */
  | {
      readonly type: 'receiver-offline';
      readonly receiverId: string;
      readonly receiverName: string;
      readonly hamletId: string;
      readonly hamletName: string;
      readonly communeId: string;
      readonly communeName: string;
      readonly provinceId: string;
      readonly lastSeenAt: string;
    }
  /** A commune booked an emergency (khẩn cấp): once per broadcast, after its unit of work committed. */
  | {
      readonly type: 'emergency-sent';
      readonly broadcastId: string;
      readonly provinceId: string;
      readonly communeId: string;
      readonly hamletIds: readonly string[];
      readonly startsAt: string;
      readonly title: string;
      readonly sentBy: string;
      readonly sentAt: string;
    }
  /** A command for one receiver (remote control): pushed to its open channels. */
  | {
      readonly type: 'receiver-command';
      readonly receiverId: string;
      readonly hamletId: string;
      readonly command: CommandMessage;
    }
  /** A receiver's alarm was raised or cleared (noticed by the dispatcher), named for the operations centre. */
  | ({
      readonly type: 'receiver-alarm';
      readonly state: 'raised' | 'cleared';
      readonly alarmId: string;
      readonly kind: AlarmKind;
      readonly detail: string;
      readonly startedAt: string;
      readonly clearedAt: string | null;
    } & AlarmSubject)
  /**
   * A province bulletin aired in a commune: a box there reported starting one of its airings. Published
   * for every such report; the webhook outbox keeps one per bulletin and commune.
   */
  | {
      readonly type: 'bulletin-aired';
      readonly bulletinId: string;
      readonly provinceId: string;
      readonly communeId: string;
      readonly communeName: string;
      readonly title: string;
      readonly level: BulletinLevel;
      readonly receiverId: string;
      readonly startedAt: string;
    }
  /**
   * This process's bus was cut off from the other instances for a while (published only locally, by the
   * PostgreSQL bus once it listens again): whatever they published meanwhile must be read afresh.
   */
  | { readonly type: 'events-missed' };

export type EventListener = (event: LoaEvent) => void;

export interface EventBus {
  publish(event: LoaEvent): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void;
}
