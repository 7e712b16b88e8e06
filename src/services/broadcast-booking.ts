import type { Repositories } from '../domain/ports/repositories.js';
import type { RequestContext } from '../domain/actor.js';
import type { LoaEvent } from '../domain/ports/events.js';
import { iso, isoOnce } from '../domain/schedule/index.js';
import type { SchedulingDeps } from './series.js';
import type { WebhookOutbox } from './webhook-events.js';

export interface Scheduled {
  readonly id: string;
  readonly occurrences: readonly {
    readonly id: string;
    readonly hamletId: string;
    readonly at: string;
    readonly durationMs: number;
    readonly slot: string | null;
  }[];
  readonly displaced: readonly {
    readonly id: string;
    readonly hamletId: string;
    readonly at: string;
    readonly title: string;
  }[];
  /** The booking an earlier request under the same idempotency key made (`displaced` is not repeated). */
  readonly replayed?: boolean;
}

/** A booking's answer: its occurrences and what it displaced, as the API shows them. */
export function scheduledOf(
  id: string,
  plan: {
    readonly occurrences: readonly {
      readonly id: string;
      readonly hamletId: string;
      readonly startsAt: number;
      readonly durationMs: number;
      readonly slotName: string | null;
    }[];
    readonly displaced: readonly {
      readonly id: string;
      readonly hamletId: string;
      readonly startsAt: number;
      readonly title: string;
    }[];
  },
): Scheduled {
  const text = isoOnce();
  return {
    id,
    occurrences: plan.occurrences.map((o) => ({
      id: o.id,
      hamletId: o.hamletId,
      at: text(o.startsAt),
      durationMs: o.durationMs,
      slot: o.slotName,
    })),
    displaced: plan.displaced.map((d) => ({
      id: d.id,
      hamletId: d.hamletId,
      at: text(d.startsAt),
      title: d.title,
    })),
  };
}

/** A booking made inside a unit of work, with what must be published once it has committed. */
export interface Booking {
  readonly broadcastId: string;
  /** Shared by the broadcasts booked together (a province's emergency in every commune), else its id. */
  readonly bookingId: string;
  readonly now: number;
  readonly plan: {
    readonly occurrences: readonly {
      readonly id: string;
      readonly hamletId: string;
      readonly startsAt: number;
    }[];
  };
  readonly versions: Readonly<Record<string, number>>;
  readonly title: string;
  readonly hamletIds: readonly string[];
  readonly scheduled: Scheduled;
  /** Made before, under the request's key: nothing new to publish. */
  readonly replayed?: boolean;
}

/** What booking needs: scheduling's, and the outbox that an emergency's webhook is written to. */
export type BookingDeps = SchedulingDeps & { readonly webhooks: WebhookOutbox };

/** What every booking does once written and once committed: new schedule versions, the emergency push. */
export function createBookingOutcomes(deps: Pick<BookingDeps, 'bus' | 'clock' | 'webhooks'>) {
  const { clock } = deps;

  async function bumpVersions(r: Pick<Repositories, 'hamlets'>, hamletIds: readonly string[]) {
    return r.hamlets.bumpScheduleVersions(hamletIds, clock.now().toISOString());
  }

  /**
   * An emergency booking pushed at once: one event naming the booking, when any of its occurrences is
   * due within the minute; later repeats reach receivers through their manifest.
   */
  function pushEmergency(outcomes: readonly Pick<Booking, 'bookingId' | 'now' | 'plan'>[]): void {
    const [first] = outcomes;
    if (!first) return;
    const dueBy = first.now + 60_000;
    if (outcomes.some((b) => b.plan.occurrences.some((o) => o.startsAt <= dueBy)))
      deps.bus.publish({ type: 'emergency', bookingId: first.bookingId, dueBy: iso(dueBy) });
  }

  /** That a commune's emergency went out, for the operations centre. */
  function emergencySentOf(ctx: RequestContext, outcome: Booking): LoaEvent {
    const first = Math.min(...outcome.plan.occurrences.map((o) => o.startsAt));
    return {
      type: 'emergency-sent',
      broadcastId: outcome.broadcastId,
      provinceId: ctx.actor.provinceId,
      communeId: ctx.actor.communeId,
      hamletIds: outcome.hamletIds,
      startsAt: iso(Number.isFinite(first) ? first : outcome.now),
      title: outcome.title,
      sentBy: ctx.actor.username,
      sentAt: iso(outcome.now),
    };
  }

  /**
   * The emergencies' webhooks, written in the unit of work that booked them: sent once it commits,
   * whatever becomes of the process after.
   */
  async function recordEmergencies(
    r: Pick<Repositories, 'webhooks' | 'communes'>,
    sent: readonly { readonly ctx: RequestContext; readonly booking: Booking }[],
  ): Promise<void> {
    await deps.webhooks.record(
      r,
      sent.map(({ ctx, booking }) => emergencySentOf(ctx, booking)),
    );
  }

  /** Tells the bus that a commune's emergency went out (its webhook was written with the booking). */
  function emergencySent(ctx: RequestContext, outcome: Booking): void {
    deps.bus.publish(emergencySentOf(ctx, outcome));
  }

  return { bumpVersions, pushEmergency, recordEmergencies, emergencySent };
}
