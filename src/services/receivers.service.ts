import type { HamletsRepository } from '../db/repositories/hamlets.repository.js';
import type { Page, PageRequest } from '../db/repositories/page.js';
import type { ReceiverRow, ReceiversRepository } from '../db/repositories/receivers.repository.js';
import { invalid, notFound } from '../domain/errors.js';
import { assertAllowed, readScope } from '../domain/policy.js';
import { receiverHealth, type ReceiverHealth } from '../domain/receiver/health.js';
import type { AuditTrail } from './audit.service.js';
import type { RequestContext } from '../domain/context.js';
import type { EventBus } from '../domain/events.js';
import { hashToken, type Clock, type IdGenerator } from '../domain/ports.js';

interface Deps {
  readonly receivers: ReceiversRepository;
  readonly hamlets: HamletsRepository;
  readonly audit: AuditTrail;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Told when a device's token stops working, so its open push channels close at once. */
  readonly bus?: EventBus | undefined;
  /** The agents' heartbeat interval; a receiver is online within two of them. */
  readonly heartbeatIntervalS?: number | undefined;
}

/** A receiver with its health from the latest heartbeat. */
export interface ReceiverView extends ReceiverRow {
  readonly health: ReceiverHealth;
}

export interface ReceiverChanges {
  readonly name?: string | undefined;
  readonly hamletId?: string | undefined;
  readonly disabled?: boolean | undefined;
}

export function createReceiversService(deps: Deps) {
  const { receivers, clock } = deps;
  const view = (row: ReceiverRow): ReceiverView => ({
    ...row,
    health: receiverHealth(row.lastSeenAt, row.lastState, clock.now().getTime(), deps.heartbeatIntervalS),
  });
  const revoke = (receiverId: string) => deps.bus?.publish({ type: 'receiver-revoked', receiverId });

  async function load(ctx: RequestContext, id: string): Promise<ReceiverRow> {
    const receiver = await receivers.findReceiver(id);
    const hamlet = receiver && (await deps.hamlets.findHamlet(receiver.hamletId));
    if (!receiver || !hamlet || hamlet.communeId !== ctx.actor.communeId) {
      throw notFound('Receiver', id, 'cụm loa');
    }
    return receiver;
  }

  async function assertHamletExists(ctx: RequestContext, hamletId: string): Promise<void> {
    const found = await deps.hamlets.findExistingHamletIds(ctx.actor.communeId, [hamletId]);
    if (found.length === 0)
      throw invalid(
        'hamletId',
        `Unknown hamlet ${JSON.stringify(hamletId)}.`,
        `Không tìm thấy thôn "${hamletId}".`,
      );
  }

  return {
    async list(
      ctx: RequestContext,
      page: PageRequest & { hamletId?: string | undefined },
    ): Promise<Page<ReceiverView>> {
      assertAllowed(ctx.actor, 'receiver.read', page.hamletId ? [page.hamletId] : undefined);
      const found = await receivers.listReceivers(ctx.actor.communeId, readScope(ctx.actor), page);
      return { items: found.items.map(view), nextCursor: found.nextCursor };
    },

    async get(ctx: RequestContext, id: string): Promise<ReceiverView> {
      const receiver = await load(ctx, id);
      assertAllowed(ctx.actor, 'receiver.read', [receiver.hamletId]);
      return view(receiver);
    },

    /** Creates a device; the token is returned this once and only its digest is stored. */
    async create(
      ctx: RequestContext,
      input: { hamletId: string; name: string },
    ): Promise<{ receiver: ReceiverView; token: string }> {
      assertAllowed(ctx.actor, 'receiver.manage');
      await assertHamletExists(ctx, input.hamletId);
      const id = deps.ids.id();
      const token = deps.ids.token();
      await receivers.insertReceiver(
        {
          id,
          hamletId: input.hamletId,
          name: input.name.normalize('NFC'),
          tokenHash: await hashToken(token),
        },
        clock.now().toISOString(),
      );
      await deps.audit.record({
        ...ctx,
        action: 'receiver.create',
        targetType: 'receiver',
        targetId: id,
        details: { hamletId: input.hamletId },
      });
      return { receiver: view((await receivers.findReceiver(id))!), token };
    },

    async update(ctx: RequestContext, id: string, changes: ReceiverChanges): Promise<ReceiverView> {
      assertAllowed(ctx.actor, 'receiver.manage');
      await load(ctx, id);
      if (changes.hamletId) await assertHamletExists(ctx, changes.hamletId);
      const now = clock.now().toISOString();
      await receivers.updateReceiver(
        id,
        {
          ...(changes.name !== undefined && { name: changes.name.normalize('NFC') }),
          ...(changes.hamletId !== undefined && { hamletId: changes.hamletId }),
          ...(changes.disabled !== undefined && { disabledAt: changes.disabled ? now : null }),
        },
        now,
      );
      const fields = Object.keys(changes).filter((k) => changes[k as keyof ReceiverChanges] !== undefined);
      await deps.audit.record({
        ...ctx,
        action: 'receiver.update',
        targetType: 'receiver',
        targetId: id,
        details: { fields },
      });
      // A disabled or moved receiver must reconnect: with 401, or to its new hamlet's channel.
      if (changes.disabled || changes.hamletId !== undefined) revoke(id);
      return view((await receivers.findReceiver(id))!);
    },

    /** A new token replaces the old one at once: the old one stops working on its next request. */
    async rotateToken(ctx: RequestContext, id: string): Promise<{ receiver: ReceiverView; token: string }> {
      assertAllowed(ctx.actor, 'receiver.manage');
      await load(ctx, id);
      const token = deps.ids.token();
      await receivers.updateReceiver(id, { tokenHash: await hashToken(token) }, clock.now().toISOString());
      await deps.audit.record({
        ...ctx,
        action: 'receiver.rotate_token',
        targetType: 'receiver',
        targetId: id,
      });
      revoke(id);
      return { receiver: view((await receivers.findReceiver(id))!), token };
    },

    async remove(ctx: RequestContext, id: string): Promise<void> {
      await this.update(ctx, id, { disabled: true });
    },
  };
}

export type ReceiversService = ReturnType<typeof createReceiversService>;
