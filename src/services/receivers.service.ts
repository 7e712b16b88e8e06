import type { RequestContext } from '../domain/actor.js';
import { invalid, notFound } from '../domain/errors.js';
import type { Page, PageRequest } from '../domain/page.js';
import { assertAllowed, readScope } from '../domain/policy.js';
import type { Clock } from '../domain/ports/clock.js';
import type { EventBus } from '../domain/ports/events.js';
import { hashToken, type IdGenerator } from '../domain/ports/ids.js';
import type { Repositories, UnitOfWork } from '../domain/ports/repositories.js';
import { onlineWindowMs, receiverHealth, type ReceiverHealth } from '../domain/receiver/health.js';
import type { Receiver } from '../domain/receiver/receiver.js';
import type { AuditTrail } from './audit.service.js';
import { assertHamletExists } from './hamlets.service.js';
import { cancelOpenCommands } from './receiver-commands.service.js';
import type { WebhookOutbox } from './webhook-events.js';

/**
 * The hamlet a receiver is put in, held until the unit of work ends as a deletion holds it: a deletion at
 * the same moment counts this receiver (and is refused) or comes first (and this one is refused).
 */
async function assertHamletHeld(r: Pick<Repositories, 'hamlets'>, ctx: RequestContext, hamletId: string) {
  await assertHamletExists(r, ctx, hamletId);
  // Deleted between the check and the lock: the check, made again, says so.
  if ((await r.hamlets.lockSchedules([hamletId])).length === 0) await assertHamletExists(r, ctx, hamletId);
}

interface Deps {
  readonly repos: Pick<Repositories, 'receivers' | 'hamlets'>;
  readonly tx: UnitOfWork;
  readonly audit: AuditTrail;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Told when a device's token stops working, so its open push channels close at once. */
  readonly bus?: EventBus | undefined;
  /** Where the `receiver.offline` webhooks are written. */
  readonly webhooks?: WebhookOutbox | undefined;
  /** The agents' heartbeat interval; a receiver is online within two of them. */
  readonly heartbeatIntervalS?: number | undefined;
}

/** A receiver with its health from the latest heartbeat. */
export interface ReceiverView extends Receiver {
  readonly health: ReceiverHealth;
}

export interface ReceiverChanges {
  readonly name?: string | undefined;
  readonly hamletId?: string | undefined;
  readonly disabled?: boolean | undefined;
}

async function load(
  r: Pick<Repositories, 'receivers' | 'hamlets'>,
  ctx: RequestContext,
  id: string,
): Promise<Receiver> {
  const receiver = await r.receivers.findReceiver(id);
  const hamlet = receiver && (await r.hamlets.findHamlet(receiver.hamletId));
  if (!receiver || !hamlet || hamlet.communeId !== ctx.actor.communeId) {
    throw notFound('Receiver', id, 'cụm loa');
  }
  return receiver;
}

export function createReceiversService(deps: Deps) {
  const { clock, tx } = deps;
  const view = (row: Receiver): ReceiverView => ({
    ...row,
    health: receiverHealth(row.lastSeenAt, row.lastState, clock.now().getTime(), deps.heartbeatIntervalS),
  });
  const revoke = (receiverId: string) => deps.bus?.publish({ type: 'receiver-revoked', receiverId });

  return {
    async list(
      ctx: RequestContext,
      page: PageRequest & { hamletId?: string | undefined },
    ): Promise<Page<ReceiverView>> {
      assertAllowed(ctx.actor, 'receiver.read', page.hamletId ? [page.hamletId] : undefined);
      const found = await deps.repos.receivers.listReceivers(ctx.actor.communeId, readScope(ctx.actor), page);
      return { items: found.items.map(view), nextCursor: found.nextCursor };
    },

    async get(ctx: RequestContext, id: string): Promise<ReceiverView> {
      const receiver = await load(deps.repos, ctx, id);
      assertAllowed(ctx.actor, 'receiver.read', [receiver.hamletId]);
      return view(receiver);
    },

    /** Creates a device; the token is returned this once and only its digest is stored. */
    async create(
      ctx: RequestContext,
      input: { hamletId: string; name: string },
    ): Promise<{ receiver: ReceiverView; token: string }> {
      assertAllowed(ctx.actor, 'receiver.manage');
      const id = deps.ids.id();
      const token = deps.ids.token();
      const tokenHash = await hashToken(token);
      return tx(async (r) => {
        await assertHamletHeld(r, ctx, input.hamletId);
        await r.receivers.insertReceiver(
          { id, hamletId: input.hamletId, name: input.name.normalize('NFC'), tokenHash },
          clock.now().toISOString(),
        );
        await deps.audit.record(r, {
          ...ctx,
          action: 'receiver.create',
          targetType: 'receiver',
          targetId: id,
          details: { hamletId: input.hamletId },
        });
        return { receiver: view((await r.receivers.findReceiver(id))!), token };
      });
    },

    async update(ctx: RequestContext, id: string, changes: ReceiverChanges): Promise<ReceiverView> {
      assertAllowed(ctx.actor, 'receiver.manage');
      const updated = await tx(async (r) => {
        const before = await load(r, ctx, id);
        if (changes.hamletId) await assertHamletHeld(r, ctx, changes.hamletId);
        // The same hamlet again is no move: the box keeps its place in the reports.
        const moved = changes.hamletId !== undefined && changes.hamletId !== before.hamletId;
        const now = clock.now().toISOString();
        // Disabled again (a second tab, the back button): it stays off since it was first switched off, so
        // the reports do not expect it of airings it was already off for.
        const disabledAt = changes.disabled ? (before.disabledAt ?? now) : null;
        const switchedOn = changes.disabled === false && before.disabledAt !== null;
        if (switchedOn) await r.receivers.insertOffPeriod(id, before.disabledAt, now);
        await r.receivers.updateReceiver(
          id,
          {
            ...(changes.name !== undefined && { name: changes.name.normalize('NFC') }),
            ...(moved && { hamletId: changes.hamletId }),
            ...(changes.disabled !== undefined && { disabledAt }),
            // Measured from the moment it is on again, as its silence and free space are: failures from
            // before (often why it was switched off and repaired) must not call the technician back.
            ...(switchedOn && { playbackFailures: 0 as const }),
          },
          now,
        );
        // After the receiver's row, which holds it against a second move at the same moment: that one then
        // closes the stretch this one opens.
        if (moved) await r.receivers.moveToHamlet(id, changes.hamletId!, now);
        const fields = Object.keys(changes).filter((k) => changes[k as keyof ReceiverChanges] !== undefined);
        if (changes.disabled) await cancelOpenCommands(r, deps.audit, ctx, id, 'receiver_disabled', now);
        await deps.audit.record(r, {
          ...ctx,
          action: 'receiver.update',
          targetType: 'receiver',
          targetId: id,
          details: { fields },
        });
        return { ...(await r.receivers.findReceiver(id))!, moved };
      });
      // A disabled or moved receiver must reconnect: with 401, or to its new hamlet's channel.
      if (changes.disabled || updated.moved) revoke(id);
      return view(updated);
    },

    /** A new token replaces the old one at once: the old one stops working on its next request. */
    async rotateToken(ctx: RequestContext, id: string): Promise<{ receiver: ReceiverView; token: string }> {
      assertAllowed(ctx.actor, 'receiver.manage');
      const token = deps.ids.token();
      const tokenHash = await hashToken(token);
      const updated = await tx(async (r) => {
        await load(r, ctx, id);
        const now = clock.now().toISOString();
        await r.receivers.updateReceiver(id, { tokenHash }, now);
        // A new token is how a dead or stolen box is replaced: what was queued for it is not for the next.
        await cancelOpenCommands(r, deps.audit, ctx, id, 'token_replaced', now);
        await deps.audit.record(r, {
          ...ctx,
          action: 'receiver.rotate_token',
          targetType: 'receiver',
          targetId: id,
        });
        return (await r.receivers.findReceiver(id))!;
      });
      revoke(id);
      return { receiver: view(updated), token };
    },

    async remove(ctx: RequestContext, id: string): Promise<void> {
      await this.update(ctx, id, { disabled: true });
    },

    /**
     * Deletes heartbeat history recorded before `cutoff`, in batches that commit on their own (a large
     * backlog neither holds a write lock long nor builds one huge transaction); the latest state stays.
     */
    pruneHeartbeats(cutoff: string, opts?: { readonly batchSize?: number; readonly maxRows?: number }) {
      return deps.repos.receivers.deleteHeartbeatsBefore(cutoff, opts);
    },

    /**
     * Writes the `receiver.offline` webhooks of every enabled receiver that went offline in (fromMs,
     * untilMs], then tells the event bus: its last heartbeat stopped keeping it online then, by the
     * receiver list's own rule (one online window).
     * Called by the dispatcher with consecutive spans, so each stretch is announced once per leader; the
     * webhooks dedupe what a change of leader announces again. Returns how many were announced.
     */
    async announceOffline(fromMs: number, untilMs: number): Promise<number> {
      if (!(untilMs > fromMs)) return 0;
      const window = onlineWindowMs(deps.heartbeatIntervalS);
      const gone = await deps.repos.receivers.listLastSeenBetween(
        new Date(fromMs - window).toISOString(),
        new Date(untilMs - window).toISOString(),
      );
      const facts = gone.map((g) => ({ type: 'receiver-offline' as const, ...g }));
      // Their webhooks first, in one unit of work: a failure looks at the same span again next tick.
      const { webhooks } = deps;
      if (webhooks && facts.length > 0) await deps.tx((r) => webhooks.record(r, facts));
      for (const fact of facts) deps.bus?.publish(fact);
      return gone.length;
    },
  };
}

export type ReceiversService = ReturnType<typeof createReceiversService>;
