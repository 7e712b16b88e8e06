import { onlineWindowMs } from '../domain/receiver/health.js';
import { PUSH_KEEP_ALIVE_MS, type ManifestItem, type PushMessage } from '../domain/receiver/protocol.js';
import type { EventBus, LoaEvent } from '../domain/ports/events.js';
import type { Logger } from '../domain/ports/logger.js';

/** One open push channel of a receiver; `deliver` must not block (it queues or drops the client). */
export interface HubConnection {
  readonly receiverId: string;
  /**
   * The digest of the token the channel was opened with, to check it again once the channel is held and
   * after missed events.
   */
  readonly tokenHash: string;
  /** A list of messages is written at once, in its order. */
  deliver(message: PushMessage | readonly PushMessage[] | { readonly type: 'ping' }): void;
  /**
   * Ends the channel from the server side (token revoked, hub closing); with `retryMs`, first tells
   * the client how long to wait before it connects again (the SSE `retry:` field).
   */
  close(retryMs?: number): void;
}

/** Timers as a port, so tests drive keep-alives and deferred pushes without waiting. */
export interface IntervalTimers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  /** Runs `fn` after the current work, letting I/O (and emergencies) go first. */
  defer(fn: () => void): void;
}

/** One emergency as this process pushed it (times from the moment its event was heard). */
export interface EmergencyPushed {
  readonly lookupMs: number;
  readonly pushedMs: number;
  readonly channels: number;
}

const PING = { type: 'ping' } as const;

const systemTimers: IntervalTimers = {
  setInterval: (fn, ms) => {
    const handle = setInterval(fn, ms);
    // The keep-alive timer alone must not keep a CLI process running.
    (handle as { unref?: () => void }).unref?.();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
  defer: (fn) => void setTimeout(fn, 0),
};

/** Schedule pushes delivered per turn of the event loop. */
const SCHEDULE_CHUNK = 1000;

export interface ReceiverHubDeps {
  readonly bus: EventBus;
  /**
   * What an emergency booking plays now in each of these hamlets it reaches, looked up at once: the
   * `play` pushes.
   */
  readonly emergencyItems: (
    bookingId: string,
    dueBy: string,
    hamletIds: readonly string[],
  ) => Promise<readonly { hamletId: string; occurrenceId: string; items: readonly ManifestItem[] }[]>;
  /**
   * The enabled receiver behind a token digest now, with its hamlet's current schedule version: read once
   * a channel is held, and for every channel after missed events.
   */
  readonly recheck: (
    tokenHash: string,
  ) => Promise<{ id: string; hamletId: string; scheduleVersion: number } | undefined>;
  /**
   * Whether a command may still go to its box (not answered, superseded or past its deadline), asked
   * before each push.
   */
  readonly commandOpen?: ((commandId: string) => Promise<boolean>) | undefined;
  /** Told which commands reached an open channel, so they show as delivered. */
  readonly onCommandsDelivered?: ((commandIds: readonly string[]) => void) | undefined;
  /** Told how long each emergency took here: the lookup of its pushes, and until the last was written. */
  readonly observeEmergency?: ((report: EmergencyPushed) => void) | undefined;
  readonly logger?: Logger | undefined;
  readonly timers?: IntervalTimers | undefined;
  /** Keep-alive comments keep proxies and NAT tables from closing idle channels (default 25 s). */
  readonly keepAliveMs?: number | undefined;
  /**
   * Open channels one receiver may hold (default 2: a box reconnecting while its old socket dies); a new
   * one beyond closes the oldest, so a leaked or stolen token cannot pile up channels.
   */
  readonly maxChannelsPerReceiver?: number | undefined;
  /**
   * Of these receivers, those whose box has not been heard from (heartbeat or request) for an online
   * window. A box that lost power or its link never closes its channel, and it never writes on it, so
   * only its silence elsewhere tells it from an idle one.
   */
  readonly silentAmong?: ((receiverIds: readonly string[]) => Promise<readonly string[]>) | undefined;
  /** How often held channels are checked against their boxes' silence (default an online window). */
  readonly silenceCheckMs?: number | undefined;
}

/**
 * The push side of the receiver protocol: one bus subscription for the whole process, fanned out to
 * the open channels of each hamlet. An idle channel costs a set entry; the bus subscription and the
 * keep-alive timer exist only while at least one channel is open.
 */
export function createReceiverHub(deps: ReceiverHubDeps) {
  const timers = deps.timers ?? systemTimers;
  const keepAliveMs = deps.keepAliveMs ?? PUSH_KEEP_ALIVE_MS;
  const maxPerReceiver = deps.maxChannelsPerReceiver ?? 2;
  const silenceCheckMs = deps.silenceCheckMs ?? onlineWindowMs();
  if (!Number.isInteger(maxPerReceiver) || maxPerReceiver < 1)
    throw new Error(`maxChannelsPerReceiver must be a whole number from 1: ${maxPerReceiver}`);
  const byHamlet = new Map<string, Set<HubConnection>>();
  /** Each receiver's open channels, oldest first. */
  const byReceiver = new Map<string, HubConnection[]>();
  const hamletOf = new Map<HubConnection, string>();
  let unsubscribe: (() => void) | undefined;
  let keepAlive: unknown;
  let silenceCheck: unknown;
  /** Channels already held at the last silence check: a newer one may belong to a box not yet heard. */
  let heldAtLastCheck = new Set<HubConnection>();
  let checking = false;
  const pendingVersions = new Map<string, number>();
  let flushing = false;
  /** Emergencies being looked up; schedule pushes wait for them, and go on with `resume`. */
  let emergencies = 0;
  let resume: (() => void) | undefined;
  /** Command pushes, one after another: checking each must not let a later one overtake it. */
  let commandsInOrder: Promise<void> = Promise.resolve();

  /** Delivers a message to a hamlet's open channels; returns how many there were. */
  const fanOut = (hamletId: string, message: PushMessage | readonly PushMessage[]): number => {
    const channels = byHamlet.get(hamletId);
    if (!channels) return 0;
    for (const connection of channels) connection.deliver(message);
    return channels.size;
  };

  /**
   * Delivers pending schedule versions a chunk at a time, and none while an emergency is being looked up.
   * A schedule push only tells a box to poll, so it may wait a moment; an emergency published with the
   * same change must not wait behind ten thousand of them (a country-wide one changes every hamlet).
   * Versions still pending when the emergency's pushes go out travel with them instead.
   */
  function flushVersions(): void {
    if (emergencies > 0) {
      resume = flushVersions;
      return;
    }
    const deliveries = [...pendingVersions].flatMap(([hamletId, version]) => {
      const message: PushMessage = { type: 'schedule', version };
      return [...(byHamlet.get(hamletId) ?? [])].map((connection) => ({ connection, message }));
    });
    pendingVersions.clear();
    const next = (from: number): void => {
      if (emergencies > 0) {
        resume = () => next(from);
        return;
      }
      for (const { connection, message } of deliveries.slice(from, from + SCHEDULE_CHUNK)) {
        if (hamletOf.has(connection)) connection.deliver(message);
      }
      if (from + SCHEDULE_CHUNK < deliveries.length) timers.defer(() => next(from + SCHEDULE_CHUNK));
      else if (pendingVersions.size > 0) timers.defer(flushVersions);
      else flushing = false;
    };
    next(0);
  }

  async function onEvent(event: LoaEvent): Promise<void> {
    if (event.type === 'schedule-changed') {
      for (const [hamletId, version] of Object.entries(event.versions)) {
        if (byHamlet.has(hamletId)) pendingVersions.set(hamletId, version);
      }
      if (pendingVersions.size > 0 && !flushing) {
        flushing = true;
        timers.defer(flushVersions);
      }
    } else if (event.type === 'emergency') {
      if (byHamlet.size === 0) return;
      const heard = performance.now();
      // One lookup per emergency for every hamlet held here, however many hamlets and receivers.
      emergencies++;
      let pushes;
      try {
        pushes = await deps.emergencyItems(event.bookingId, event.dueBy, [...byHamlet.keys()]);
      } finally {
        emergencies--;
        if (emergencies === 0 && resume) {
          const later = resume;
          resume = undefined;
          timers.defer(later);
        }
      }
      const lookupMs = performance.now() - heard;
      let channels = 0;
      for (const { hamletId, occurrenceId, items } of pushes) {
        const play: PushMessage = { type: 'play', occurrenceId, items };
        // The version the emergency gave this hamlet goes in the same write, after it: one write a channel.
        const version = pendingVersions.get(hamletId);
        pendingVersions.delete(hamletId);
        channels += fanOut(hamletId, version === undefined ? play : [play, { type: 'schedule', version }]);
      }
      deps.observeEmergency?.({ lookupMs, pushedMs: performance.now() - heard, channels });
    } else if (event.type === 'receiver-command') {
      if (!byReceiver.has(event.receiverId)) return;
      const turn = commandsInOrder.then(() => pushCommand(event));
      commandsInOrder = turn.catch(() => undefined);
      await turn;
    } else if (event.type === 'stop') {
      for (const hamletId of event.hamletIds)
        fanOut(hamletId, { type: 'stop', occurrenceId: event.occurrenceId });
    } else if (event.type === 'events-missed') {
      // Revocations and new versions published elsewhere meanwhile were lost: every open channel's token
      // is checked again (the lookups of one moment share a query) and told its hamlet's version.
      await Promise.all(
        [...hamletOf].map(async ([connection, hamletId]) => {
          const version = await confirm(connection, hamletId);
          if (version !== undefined) connection.deliver({ type: 'schedule', version });
        }),
      );
    } else if (event.type === 'receiver-revoked') {
      for (const [connection] of [...hamletOf].filter(([c]) => c.receiverId === event.receiverId)) {
        connection.close();
        remove(connection);
      }
    }
  }

  async function pushCommand(event: Extract<LoaEvent, { type: 'receiver-command' }>): Promise<void> {
    // An event held back (a bus that was down sends what it queued, on the edge two posts overtake each
    // other) can come after a newer command of the same setting superseded it: pushed, it would undo it.
    if (deps.commandOpen && !(await deps.commandOpen(event.command.id))) return;
    const channels = byReceiver.get(event.receiverId) ?? [];
    if (channels.length === 0) return;
    const message: PushMessage = { type: 'command', ...event.command };
    for (const connection of channels) connection.deliver(message);
    deps.onCommandsDelivered?.([event.command.id]);
  }

  /**
   * Reads a held channel's token again and closes the channel unless the token still belongs to the same
   * enabled receiver in the same hamlet; answers that hamlet's schedule version when it does.
   */
  async function confirm(connection: HubConnection, hamletId: string): Promise<number | undefined> {
    const now = await deps.recheck(connection.tokenHash);
    if (!hamletOf.has(connection)) return undefined;
    if (now && now.id === connection.receiverId && now.hamletId === hamletId) return now.scheduleVersion;
    connection.close();
    remove(connection);
    return undefined;
  }

  /**
   * Closes the channels, held since the last check at least, of boxes silent for an online window: without
   * it a dead box's channel stays open until the kernel gives up on its keep-alives (about 16 minutes).
   */
  async function closeSilent(): Promise<number> {
    if (checking || !deps.silentAmong) return 0;
    checking = true;
    try {
      const candidates = [...heldAtLastCheck].filter((c) => hamletOf.has(c));
      heldAtLastCheck = new Set(hamletOf.keys());
      if (candidates.length === 0) return 0;
      const silent = new Set(await deps.silentAmong([...new Set(candidates.map((c) => c.receiverId))]));
      const closing = candidates.filter((c) => silent.has(c.receiverId) && hamletOf.has(c));
      for (const connection of closing) {
        connection.close();
        remove(connection);
      }
      if (closing.length > 0) deps.logger?.info({ channels: closing.length }, 'silent push channels closed');
      return closing.length;
    } finally {
      checking = false;
    }
  }

  function remove(connection: HubConnection): void {
    const hamletId = hamletOf.get(connection);
    if (hamletId === undefined) return;
    hamletOf.delete(connection);
    const mine = byReceiver.get(connection.receiverId)?.filter((c) => c !== connection) ?? [];
    if (mine.length > 0) byReceiver.set(connection.receiverId, mine);
    else byReceiver.delete(connection.receiverId);
    const set = byHamlet.get(hamletId);
    set?.delete(connection);
    if (set?.size === 0) byHamlet.delete(hamletId);
    if (hamletOf.size === 0) {
      unsubscribe?.();
      unsubscribe = undefined;
      timers.clearInterval(keepAlive);
      keepAlive = undefined;
      timers.clearInterval(silenceCheck);
      silenceCheck = undefined;
      heldAtLastCheck = new Set();
    }
  }

  return {
    /** Registers an open channel; returns the function that unregisters it. */
    connect(receiver: { readonly hamletId: string }, connection: HubConnection): () => void {
      // Before subscribing: closing the last other channel unsubscribes from the bus.
      const mine = byReceiver.get(connection.receiverId) ?? [];
      for (const oldest of mine.slice(0, Math.max(0, mine.length - maxPerReceiver + 1))) {
        oldest.close();
        remove(oldest);
      }
      if (!unsubscribe) {
        unsubscribe = deps.bus.subscribe((event) => {
          onEvent(event).catch((err: unknown) =>
            deps.logger?.error({ err: String(err), event: event.type }, 'receiver push failed'),
          );
        });
        keepAlive = timers.setInterval(() => {
          for (const c of hamletOf.keys()) c.deliver(PING);
        }, keepAliveMs);
        if (deps.silentAmong)
          silenceCheck = timers.setInterval(() => {
            closeSilent().catch((err: unknown) =>
              deps.logger?.error({ err: String(err) }, 'push channel silence check failed'),
            );
          }, silenceCheckMs);
      }
      let set = byHamlet.get(receiver.hamletId);
      if (!set) byHamlet.set(receiver.hamletId, (set = new Set()));
      set.add(connection);
      hamletOf.set(connection, receiver.hamletId);
      byReceiver.set(connection.receiverId, [...(byReceiver.get(connection.receiverId) ?? []), connection]);
      // The caller read the token before this registration, and a revocation committed in between
      // published its event to no channel here. Read after registering, the token shows such a revocation,
      // and any later one finds the channel held.
      confirm(connection, receiver.hamletId).catch((err: unknown) =>
        deps.logger?.error({ err: String(err) }, 'push channel token check failed'),
      );
      return () => remove(connection);
    },

    /** The silence check its timer runs; answers how many channels it closed. */
    closeSilent,

    /** Open channels, in total and per hamlet. */
    stats(): { connections: number; hamlets: Readonly<Record<string, number>> } {
      return {
        connections: hamletOf.size,
        hamlets: Object.fromEntries([...byHamlet].map(([id, set]) => [id, set.size])),
      };
    },

    /**
     * Closes every channel (shutdown). With `retryMs`, each client is told to come back after a delay
     * drawn between a quarter of it and all of it, so that the receivers of a stopping instance spread
     * their reconnections over the others instead of arriving at once.
     */
    closeAll(retryMs?: number): void {
      for (const connection of [...hamletOf.keys()]) {
        connection.close(
          retryMs === undefined ? undefined : Math.round(retryMs * (0.25 + 0.75 * Math.random())),
        );
        remove(connection);
      }
    },
  };
}

export type ReceiverHub = ReturnType<typeof createReceiverHub>;
