import type { RequestContext } from '../domain/actor.js';
import { conflict, invalid, notFound } from '../domain/errors.js';
import { assertAllowed } from '../domain/policy.js';
import type { Clock } from '../domain/ports/clock.js';
import type { EventBus } from '../domain/ports/events.js';
import type { IdGenerator } from '../domain/ports/ids.js';
import type { Repositories, UnitOfWork } from '../domain/ports/repositories.js';
import {
  CLOSE_REASONS,
  COMMAND_TTL_MS,
  OPEN_COMMAND_STATES,
  SETTINGS_OF,
  toCommandMessage,
  type CommandAck,
  type CommandArgs,
  type CommandInput,
  type CommandMessage,
  type CommandState,
  type CloseReason,
  type ReceiverCommand,
} from '../domain/receiver/command.js';
import { isPlaceholderBox, type Receiver, type ReceiverSession } from '../domain/receiver/receiver.js';
import type { AuditTrail } from './audit.service.js';

/**
 * The state a box's answer to `c` at `now` is told when it cannot change it: the answer already kept
 * (a retry), or a 409 when it comes too late (the server closed it, or its deadline passed). Undefined
 * while the answer may still be recorded.
 */
function settledState(c: ReceiverCommand, now: Date): CommandState | undefined {
  if (c.state === 'acknowledged' || c.state === 'failed') return c.state;
  if (c.state === 'cancelled') {
    throw conflict(
      `The command ${c.id} was cancelled: ${c.result ?? 'the receiver was disabled or replaced'}.`,
      `Lệnh ${c.id} đã bị huỷ vì cụm loa bị tắt hoặc được đổi mã thiết bị.`,
    );
  }
  if (c.state === 'timed_out' || now.getTime() >= Date.parse(c.expiresAt)) {
    throw conflict(
      `The command ${c.id} timed out at ${c.expiresAt}; the officer may send it again.`,
      `Lệnh ${c.id} đã quá hạn lúc ${c.expiresAt}; cán bộ có thể gửi lại lệnh.`,
    );
  }
  return undefined;
}

interface Deps {
  readonly repos: Pick<Repositories, 'receivers' | 'hamlets' | 'communes' | 'receiverCommands'>;
  readonly tx: UnitOfWork;
  readonly audit: AuditTrail;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly bus: EventBus;
}

/** Receivers read per query when a command goes to a whole hamlet. */
const PAGE = 500;

/**
 * Cancels a receiver's open commands inside the caller's unit of work, each audited: a disabled box, or
 * the box a new token replaces, is not to carry out (nor be shown waiting for) what was sent before.
 */
export async function cancelOpenCommands(
  r: Pick<Repositories, 'receiverCommands' | 'audit'>,
  audit: AuditTrail,
  ctx: RequestContext,
  receiverId: string,
  reason: Extract<CloseReason, 'receiver_disabled' | 'token_replaced'>,
  now: string,
): Promise<void> {
  const cancelled = await r.receiverCommands.cancelOpenCommands(receiverId, CLOSE_REASONS[reason], now);
  for (const c of cancelled) {
    await audit.record(r, {
      ...ctx,
      action: 'receiver.command_cancelled',
      targetType: 'receiver_command',
      targetId: c.id,
      details: { receiverId, kind: c.kind, reason },
    });
  }
}

/**
 * Remote control of the boxes: officers and admins issue commands to a receiver or to every receiver of
 * a hamlet; each travels on the push channel and in the heartbeat answer, is answered by the box, and
 * times out visibly when it is not. Every step is audited.
 */
export function createReceiverCommandsService(deps: Deps) {
  const { clock } = deps;

  async function argsOf(ctx: RequestContext, input: CommandInput): Promise<CommandArgs> {
    if (input.kind === 'volume') return { volume: input.volume };
    if (input.kind === 'hours') {
      if (input.hours === null) return { hours: null };
      const commune = await deps.repos.communes.findCommune(ctx.actor.communeId);
      return { hours: { ...input.hours, timeZone: commune?.timeZone ?? 'Asia/Ho_Chi_Minh' } };
    }
    return {};
  }

  /**
   * Issues one command to each of `receivers` still enabled once they are held; `noneEnabled` is the
   * refusal when none is.
   */
  async function issue(
    ctx: RequestContext,
    receivers: readonly { id: string; hamletId: string }[],
    input: CommandInput,
    noneEnabled: () => Error,
  ): Promise<readonly ReceiverCommand[]> {
    const args = await argsOf(ctx, input);
    const commands = await deps.tx(async (r) => {
      // Held until this unit of work ends: of two commands of one setting sent to a box at the same
      // instant, the later supersedes the earlier, and is never left open beside it.
      const enabled = new Set(await r.receiverCommands.lockEnabledReceivers(receivers.map((x) => x.id)));
      const targets = receivers.filter((x) => enabled.has(x.id));
      if (targets.length === 0) throw noneEnabled();
      // Read once the lock is held, so that the command that supersedes is the newer one in the list too.
      const now = clock.now();
      const made: ReceiverCommand[] = targets.map((x) => ({
        id: deps.ids.id(),
        receiverId: x.id,
        hamletId: x.hamletId,
        kind: input.kind,
        args,
        issuedBy: ctx.actor.id,
        issuedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + COMMAND_TTL_MS[input.kind]).toISOString(),
        state: 'pending',
        deliveredAt: null,
        answeredAt: null,
        result: null,
      }));
      await r.receiverCommands.supersedeCommands(
        targets.map((x) => x.id),
        SETTINGS_OF[input.kind] ?? [],
        now.toISOString(),
      );
      await r.receiverCommands.insertCommands(made);
      for (const c of made) {
        await deps.audit.record(r, {
          ...ctx,
          action: 'receiver.command',
          targetType: 'receiver',
          targetId: c.receiverId,
          details: { commandId: c.id, kind: c.kind, args: c.args },
        });
      }
      return made;
    });
    for (const c of commands) {
      deps.bus.publish({
        type: 'receiver-command',
        receiverId: c.receiverId,
        hamletId: c.hamletId,
        command: toCommandMessage(c),
      });
    }
    return commands;
  }

  /** The receiver of the caller's commune, or 404 (another commune's id is as unknown as a wrong one). */
  async function receiverOf(ctx: RequestContext, id: string) {
    const receiver = await deps.repos.receivers.findReceiver(id);
    const hamlet = receiver && (await deps.repos.hamlets.findHamlet(receiver.hamletId));
    if (!receiver || !hamlet || hamlet.communeId !== ctx.actor.communeId) {
      throw notFound('Receiver', id, 'cụm loa');
    }
    return receiver;
  }

  return {
    /** A command to one receiver of the caller's commune. */
    async issueToReceiver(
      ctx: RequestContext,
      receiverId: string,
      input: CommandInput,
    ): Promise<readonly ReceiverCommand[]> {
      const receiver = await receiverOf(ctx, receiverId);
      assertAllowed(ctx.actor, 'receiver.control', [receiver.hamletId]);
      const disabled = () =>
        conflict(
          `The receiver ${receiver.name} is disabled; enable it before sending it commands.`,
          `Cụm loa ${receiver.name} đang bị tắt; hãy bật lại trước khi gửi lệnh.`,
        );
      if (receiver.disabledAt !== null) throw disabled();
      // Accepted, it would only time out: no box holds this row's token.
      if (isPlaceholderBox(receiver)) {
        throw conflict(
          `The receiver ${receiver.name} is example data and has never connected, so no box would get the command; rotate its token to enrol a real box.`,
          `Cụm loa ${receiver.name} là dữ liệu mẫu, chưa từng kết nối với máy chủ, nên lệnh không tới được cụm loa nào; hãy đổi mã thiết bị để gắn một hộp điều khiển thật.`,
        );
      }
      return issue(ctx, [receiver], input, disabled);
    },

    /** The same command to every enabled receiver of a hamlet of the caller's commune. */
    async issueToHamlet(
      ctx: RequestContext,
      hamletId: string,
      input: CommandInput,
    ): Promise<readonly ReceiverCommand[]> {
      const hamlet = await deps.repos.hamlets.findHamlet(hamletId);
      if (!hamlet || hamlet.communeId !== ctx.actor.communeId) throw notFound('Hamlet', hamletId, 'thôn');
      assertAllowed(ctx.actor, 'receiver.control', [hamletId]);
      const items: Receiver[] = [];
      for (let cursor: string | undefined; ;) {
        const page = await deps.repos.receivers.listReceivers(ctx.actor.communeId, 'all', {
          hamletId,
          limit: PAGE,
          cursor,
        });
        items.push(...page.items);
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      // A seeded row that a real box has connected to is a box like any other.
      const enabled = items.filter((r) => r.disabledAt === null && !isPlaceholderBox(r));
      const none = () =>
        invalid(
          'hamletId',
          `The hamlet ${hamlet.name} has no enabled receiver to send the command to.`,
          `${hamlet.name} chưa có cụm loa nào đang hoạt động để nhận lệnh.`,
        );
      if (enabled.length === 0) throw none();
      return issue(ctx, enabled, input, none);
    },

    /** A receiver's commands, newest first. */
    async list(ctx: RequestContext, receiverId: string, limit = 50): Promise<readonly ReceiverCommand[]> {
      const receiver = await receiverOf(ctx, receiverId);
      assertAllowed(ctx.actor, 'receiver.read', [receiver.hamletId]);
      return deps.repos.receiverCommands.listCommands(receiverId, limit);
    },

    /** The latest commands to the commune's receivers (the monitor page), for those who may send them. */
    async listCommune(ctx: RequestContext, limit = 20): Promise<readonly ReceiverCommand[]> {
      assertAllowed(ctx.actor, 'receiver.control', 'commune');
      return deps.repos.receiverCommands.listCommuneCommands(ctx.actor.communeId, limit);
    },

    /**
     * The commands a box has yet to answer, oldest first, for its heartbeat answer; pending ones become
     * delivered. A command pushed and returned here too is carried out once: the box keeps their ids.
     * `r`: the repositories of the caller's unit of work (the heartbeat's), so that it costs no
     * transaction of its own.
     */
    async forBox(
      session: ReceiverSession,
      r: Pick<Repositories, 'receiverCommands'> = deps.repos,
    ): Promise<readonly CommandMessage[]> {
      const now = clock.now().toISOString();
      const open = await r.receiverCommands.listOpenCommands(session.id, now);
      if (open.length === 0) return [];
      const pending = open.filter((c) => c.state === 'pending').map((c) => c.id);
      if (pending.length > 0) await r.receiverCommands.markDelivered(pending, now);
      return open.map(toCommandMessage);
    },

    /** Whether a command may still be pushed: not answered, superseded or past its deadline. */
    async isOpen(id: string): Promise<boolean> {
      const command = await deps.repos.receiverCommands.findCommand(id);
      return (
        command !== undefined &&
        (OPEN_COMMAND_STATES as readonly CommandState[]).includes(command.state) &&
        clock.now().getTime() < Date.parse(command.expiresAt)
      );
    },

    /** Commands that reached an open push channel. */
    async markDelivered(ids: readonly string[]): Promise<void> {
      await deps.repos.receiverCommands.markDelivered(ids, clock.now().toISOString());
    },

    /**
     * The box's answer, idempotent: the same answer again returns the state it left. A command of another
     * receiver is unknown (404); an answer after the deadline, or to a command the server closed first
     * (timed out or cancelled, even at the same instant), is refused (409) and the command stays closed.
     */
    async ack(
      session: ReceiverSession,
      id: string,
      ack: CommandAck,
    ): Promise<{ id: string; state: CommandState }> {
      const answer = { state: ack.ok ? 'acknowledged' : 'failed', result: ack.result ?? null } as const;
      // Read and written in one unit of work: on SQLite the time-out comes wholly before or after it.
      return deps.tx(async (r) => {
        const command = await r.receiverCommands.findCommand(id);
        if (!command || command.receiverId !== session.id) throw notFound('Command', id, 'lệnh');
        const now = clock.now();
        const settled = settledState(command, now);
        if (settled) return { id, state: settled };
        if (!(await r.receiverCommands.answerCommand(id, answer, now.toISOString()))) {
          // PostgreSQL: closed since it was read, by a retry racing this answer or by the time-out.
          const current = (await r.receiverCommands.findCommand(id))!;
          return { id, state: settledState(current, now) ?? current.state };
        }
        await deps.audit.record(r, {
          actor: { kind: 'receiver', id: session.id, hamletId: session.hamletId },
          requestId: null,
          action: ack.ok ? 'receiver.command_acknowledged' : 'receiver.command_failed',
          targetType: 'receiver_command',
          targetId: id,
          details: { kind: command.kind, result: answer.result },
        });
        return { id, state: answer.state };
      });
    },

    /** Marks open commands past their deadline as timed out (the dispatcher's tick); returns how many. */
    async timeOut(): Promise<number> {
      return deps.tx(async (r) => {
        const expired = await r.receiverCommands.timeOutCommands(clock.now().toISOString());
        for (const c of expired) {
          await deps.audit.record(r, {
            actor: null,
            requestId: null,
            action: 'receiver.command_timed_out',
            targetType: 'receiver_command',
            targetId: c.id,
            // The state it timed out in: whether the box ever got it.
            details: {
              receiverId: c.receiverId,
              kind: c.kind,
              state: c.deliveredAt ? 'delivered' : 'pending',
            },
          });
        }
        return expired.length;
      });
    },
  };
}

export type ReceiverCommandsService = ReturnType<typeof createReceiverCommandsService>;
