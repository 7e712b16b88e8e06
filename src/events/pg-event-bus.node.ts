import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { EventBus, LoaEvent } from '../domain/ports/events.js';
import type { Logger } from '../domain/ports/logger.js';
import { createEventBus } from './in-process-bus.js';
import { decodeNotification, encodeEvent, NOTIFY_MAX_BYTES, payloadBytes } from './notification.node.js';

/**
 * Bytes of payloads kept for the other instances (while the connection is down, or while a burst is being
 * sent); past this the oldest go. A country-wide emergency publishes about 9 MB at once: the schedule
 * versions of 30,000 hamlets and one `emergency-sent` per commune.
 */
const OUTBOX_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Payloads sent in one statement (`select pg_notify(…), pg_notify(…), …`): one round trip instead of one
 * each, so that a burst of thousands reaches the other instances in a fraction of the time. PostgreSQL
 * delivers the notifications of one transaction in order, and folds identical payloads of one transaction
 * into one: the same event twice in a row changes nothing for a subscriber, as with the retries below.
 */
const NOTIFY_BATCH = 100;

export interface PostgresEventBusOptions {
  /** The PostgreSQL database every instance shares (`DATABASE_URL`). */
  readonly url: string;
  readonly logger: Logger;
  /** The LISTEN/NOTIFY channel (default `loa_events`): lower-case letters, digits and `_`. */
  readonly channel?: string | undefined;
  /** Reconnection back-off: first delay and ceiling (default 200 ms … 30 s, with jitter). */
  readonly reconnectMs?: { readonly min: number; readonly max: number } | undefined;
  /** How often the listening connection is checked with a `select 1` (default 30 s). */
  readonly pingMs?: number | undefined;
  /** Bytes of payloads kept for the others while they cannot be sent (default 64 MiB); then the oldest go. */
  readonly outboxMaxBytes?: number | undefined;
}

export interface PostgresEventBus extends EventBus {
  /** Random per bus; notifications carrying it are this bus's own and are not delivered again. */
  readonly instanceId: string;
  /** Whether the listening connection is up (LISTEN active). */
  listening(): boolean;
  /** Sends what is still queued if the connection is up, then ends it. */
  close(): Promise<void>;
}

interface Connection {
  readonly client: pg.Client;
  /** Cleared when the connection is given up, so a half-dead one delivers nothing more. */
  live: boolean;
}

interface Outgoing {
  readonly payload: string;
  readonly bytes: number;
  attempts: number;
}

/** One statement notifying `count` payloads, `$1` the channel and `$2 …` the payloads. */
const notifyStatement = (count: number): string =>
  `select ${Array.from({ length: count }, (_, i) => `pg_notify($1, $${i + 2})`).join(', ')}`;

/**
 * The event bus of the scale-out profile: every instance's subscribers hear every instance's events,
 * through PostgreSQL LISTEN/NOTIFY on one dedicated connection per process, which also sends the NOTIFYs
 * (in publish order). Resolves once LISTEN is active; rejects when the first connection fails.
 *
 * An instance's own events reach its own subscribers always, at once. The others hear them while their
 * listening connections are up: PostgreSQL keeps no notification for a connection that is down, and the
 * receivers' schedule versions and polls stay the source of truth for what is missed. Events published
 * while this bus's own connection is down are queued and sent once it is back; a NOTIFY whose answer was
 * lost is sent again, so another instance may, rarely, hear an event twice.
 *
 * @example
 * const bus = await createPostgresEventBus({ url: process.env.DATABASE_URL, logger });
 * bus.subscribe((event) => …);
 * bus.publish({ type: 'receiver-revoked', receiverId }); // reaches every instance's subscribers
 * await bus.close();
 */
export async function createPostgresEventBus(options: PostgresEventBusOptions): Promise<PostgresEventBus> {
  const channel = options.channel ?? 'loa_events';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel))
    throw new Error(`channel: must be lower-case letters, digits and "_" (got ${JSON.stringify(channel)})`);
  const logger = options.logger.child({ component: 'event-bus' });
  const minMs = options.reconnectMs?.min ?? 200;
  const maxMs = options.reconnectMs?.max ?? 30_000;
  const instanceId = randomUUID();
  const local = createEventBus();
  const outbox: Outgoing[] = [];
  let outboxBytes = 0;
  const outboxMaxBytes = options.outboxMaxBytes ?? OUTBOX_MAX_BYTES;
  let current: Connection | undefined;
  let draining: Promise<void> | undefined;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let connecting: Promise<unknown> | undefined;
  let downSince = 0;
  let dropped = 0;
  let closed = false;

  // Our own notifications come back too; they are known by how `encodeEvent` starts them, before any
  // parsing: a country-wide emergency is thousands of them on the instance that sent it.
  const ownPrefix = `{"from":${JSON.stringify(instanceId)},`;

  function onNotification(message: pg.Notification): void {
    if (message.channel !== channel || message.payload?.startsWith(ownPrefix)) return;
    const envelope = decodeNotification(message.payload);
    if (!envelope) {
      logger.warn(
        { payload: message.payload?.slice(0, 200), senderPid: message.processId },
        'ignored a malformed event notification',
      );
      return;
    }
    if (envelope.from !== instanceId) local.publish(envelope.event);
  }

  async function connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: options.url,
      application_name: `loa-events/${instanceId}`,
      keepAlive: true,
      connectionTimeoutMillis: 10_000,
      // A query on a connection that stopped answering fails instead of hanging the outbox.
      query_timeout: 10_000,
    });
    const connection: Connection = { client, live: true };
    client.on('notification', (message) => {
      if (connection.live) onNotification(message);
    });
    client.on('error', (err) => lost(connection, err));
    client.on('end', () => lost(connection, new Error('connection ended')));
    try {
      await client.connect();
      // LISTEN takes no parameter; the channel is checked above and quoted here.
      await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
      if (closed) throw new Error('event bus closed');
      if (!connection.live) throw new Error('connection lost while starting to listen');
    } catch (error) {
      connection.live = false;
      await client.end().catch(() => undefined);
      throw error;
    }
    current = connection;
  }

  function lost(connection: Connection, err: unknown): void {
    const established = connection.live && current === connection;
    connection.live = false;
    // A connection still starting fails its `connect()`, whose caller retries.
    if (!established) return;
    current = undefined;
    connection.client.end().catch(() => undefined);
    if (closed) return;
    downSince = Date.now();
    logger.warn(
      { err: String(err), queued: outbox.length },
      'event bus connection lost: delivering locally only until it is back',
    );
    reconnect(0);
  }

  function reconnect(attempt: number): void {
    const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 20));
    // Jitter, so that instances that lost the database together do not all come back at once.
    const delay = Math.round(ceiling * (0.5 + Math.random() / 2));
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      if (closed) return;
      const attemptDone = connect().then(
        () => {
          logger.info(
            { downMs: Date.now() - downSince, attempts: attempt + 1, queued: outbox.length, dropped },
            'event bus listening again',
          );
          dropped = 0;
          drain();
          // PostgreSQL kept nothing for us while we were away: the subscribers re-read what they hold.
          local.publish({ type: 'events-missed' });
        },
        (err: unknown) => {
          if (closed) return;
          logger.warn({ err: String(err), attempt: attempt + 1 }, 'event bus reconnection failed');
          reconnect(attempt + 1);
        },
      );
      connecting = attemptDone.finally(() => (connecting = undefined));
    }, delay);
    reconnectTimer.unref?.();
  }

  /** Takes what was sent (or given up) off the front of the outbox, where the oldest have not gone meanwhile. */
  function sent(batch: readonly Outgoing[]): void {
    // Where the front of the outbox is in the batch: past its start when the oldest were dropped meanwhile.
    const from = outbox.length === 0 ? -1 : batch.indexOf(outbox[0]!);
    if (from < 0) return;
    let count = 0;
    while (from + count < batch.length && outbox[count] === batch[from + count]) count++;
    for (const item of outbox.splice(0, count)) outboxBytes -= item.bytes;
  }

  /** Sends the outbox in order, a batch of NOTIFYs per round trip, on the current connection. */
  function drain(): void {
    const connection = current;
    if (draining || !connection || outbox.length === 0) return;
    draining = (async () => {
      while (outbox.length > 0 && connection.live) {
        // After a failure the first payload goes alone, so that one PostgreSQL refuses is found out.
        const batch = outbox.slice(0, outbox[0]!.attempts > 0 ? 1 : NOTIFY_BATCH);
        try {
          await connection.client.query(notifyStatement(batch.length), [
            channel,
            ...batch.map((item) => item.payload),
          ]);
          sent(batch);
        } catch (err) {
          // Sent again on the next connection (at least once: the others' subscribers are idempotent
          // — versions, closing a channel, an emergency a box has already handled); a payload that fails
          // three times is given up so that it cannot block the ones behind it.
          const [item] = batch;
          if (++item!.attempts >= 3) {
            sent([item!]);
            logger.error({ err: String(err), payload: item!.payload.slice(0, 200) }, 'event not sent');
          }
          lost(connection, err);
        }
      }
    })().finally(() => {
      draining = undefined;
      drain();
    });
  }

  const pingTimer = setInterval(() => {
    const connection = current;
    if (connection) connection.client.query('select 1').catch((err: unknown) => lost(connection, err));
  }, options.pingMs ?? 30_000);
  pingTimer.unref?.();

  try {
    await connect();
  } catch (error) {
    clearInterval(pingTimer);
    throw error;
  }

  return {
    instanceId,
    listening: () => current !== undefined,
    subscribe: (listener) => local.subscribe(listener),
    publish(event) {
      // Local subscribers first, at once: an emergency reaches this instance's open channels with no round
      // trip through PostgreSQL (delivering only on our own notification would add one, and lose the
      // event while the connection is down), so our own notifications are skipped by `instanceId`.
      local.publish(event);
      if (closed) return;
      for (const payload of encodeEvent(instanceId, event)) {
        const size = payloadBytes(payload);
        if (size > NOTIFY_MAX_BYTES) {
          logger.error({ event: event.type, bytes: size }, 'event too large to notify');
          continue;
        }
        outbox.push({ payload, bytes: size, attempts: 0 });
        outboxBytes += size;
      }
      while (outboxBytes > outboxMaxBytes) {
        sent([outbox[0]!]);
        if (dropped++ === 0)
          logger.warn({ maxBytes: outboxMaxBytes }, 'event outbox full: dropping the oldest');
      }
      drain();
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(pingTimer);
      clearTimeout(reconnectTimer);
      await connecting;
      await draining;
      const connection = current;
      current = undefined;
      if (connection) {
        connection.live = false;
        await connection.client.end().catch(() => undefined);
      }
    },
  };
}
