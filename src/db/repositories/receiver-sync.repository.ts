import { CompiledQuery, type Kysely } from 'kysely';
import type { ManifestOccurrence } from '../../domain/receiver/manifest.js';
import { batchedLookup } from '../batched-lookup.js';
import type { ReceiverSyncRepository } from '../../domain/ports/repositories.js';
import type { ReceiverSession } from '../../domain/receiver/receiver.js';
import { onlineWindowMs } from '../../domain/receiver/health.js';
import type { DbCapabilities } from '../database.js';
import type { Database } from '../schema.js';
import { stretchReads } from './receiver-stretches.js';

/** The SQL behind the receiver protocol: device sessions, manifests, heartbeats and playback logs. */
export function createReceiverSyncRepository(
  db: Kysely<Database>,
  capabilities: Pick<DbCapabilities, 'boundParameters'> & Partial<Pick<DbCapabilities, 'rowLocks'>>,
): ReceiverSyncRepository {
  // Hamlets an emergency lookup names in its statement, with room for the booking, the time and the
  // constants: 90 on D1 (a commune's Durable Object holds about that), thousands on SQLite and PostgreSQL.
  const namedHamlets = capabilities.boundParameters - 10;
  // Compiled once per batch size: building and compiling the query measured more than running it, on
  // the path every poll of every receiver takes.
  const sessionSql = new Map<number, string>();
  const sessionQuery = (size: number) => {
    let text = sessionSql.get(size);
    if (text === undefined) {
      text = db
        .selectFrom('receivers as r')
        .innerJoin('hamlets as h', 'h.id', 'r.hamlet_id')
        .innerJoin('communes as c', 'c.id', 'h.commune_id')
        .select(['r.id', 'r.token_hash', 'r.hamlet_id', 'h.schedule_version', 'h.languages'])
        .where('r.token_hash', 'in', Array<string>(size).fill(''))
        .where('r.disabled_at', 'is', null)
        .where('h.deleted_at', 'is', null)
        .where('c.deleted_at', 'is', null)
        .compile().sql;
      sessionSql.set(size, text);
    }
    return text;
  };
  type SessionRow = {
    id: string;
    token_hash: string;
    hamlet_id: string;
    schedule_version: number;
    languages: string;
  };
  const findSession = batchedLookup(async (tokenHashes: readonly string[]) => {
    const { rows } = await db.executeQuery<SessionRow>(
      CompiledQuery.raw(sessionQuery(tokenHashes.length), [...tokenHashes]),
    );
    return new Map(
      rows.map((row): [string, ReceiverSession] => [
        row.token_hash,
        {
          id: row.id,
          tokenHash: row.token_hash,
          hamletId: row.hamlet_id,
          scheduleVersion: Number(row.schedule_version),
          languagesJson: row.languages,
        },
      ]),
    );
  });

  /** A broadcast's content as manifests carry it, one row per ready variant (or one without). */
  const withContent = <Q extends ReturnType<typeof fromBroadcasts>>(query: Q) =>
    query
      .leftJoin('announcements as a', 'a.id', 'b.announcement_id')
      .leftJoin('announcement_variants as v', (join) =>
        join
          .onRef('v.announcement_id', '=', 'b.announcement_id')
          .on('v.status', '=', 'ready')
          .on('v.approval', '=', 'approved')
          .on('v.audio_sha256', 'is not', null),
      )
      .leftJoin('audio_assets as s', 's.sha256', 'v.audio_sha256')
      .leftJoin('audio_assets as ls', 'ls.sha256', 'b.lead_audio_sha256')
      .select([
        'ls.sha256 as lead_sha256',
        'ls.bytes as lead_bytes',
        'ls.duration_ms as lead_duration_ms',
        'ls.format as lead_format',
        'a.title',
        'b.relay_url',
        'b.relay_duration_s',
        'v.language',
        's.sha256',
        's.bytes',
        's.duration_ms as audio_duration_ms',
        's.format',
      ]);
  const fromBroadcasts = () =>
    db.selectFrom('occurrences as o').innerJoin('broadcasts as b', 'b.id', 'o.broadcast_id');

  const manifestRows = () =>
    withContent(fromBroadcasts())
      .select(['o.id', 'o.hamlet_id', 'o.starts_at', 'o.duration_ms', 'o.priority'])
      .where('o.status', '!=', 'cancelled')
      .where('b.cancelled_at', 'is', null)
      // Content withdrawn or refused after its time came: its airing stays (it may have played), but a box
      // that fetches its schedule only now, still within its 10 minutes, must not start it late.
      .where((eb) =>
        eb.or([
          eb('b.announcement_id', 'is', null),
          eb.and([eb('a.withdrawn_at', 'is', null), eb('a.approval', '!=', 'rejected')]),
        ]),
      );

  // Compiled once with stand-ins for its three values, as the session lookup is: every manifest fetched
  // after a change runs it, and building and compiling it measured 120 µs of CPU a call.
  const [HAMLET, FROM, TO] = ['\u0000hamlet', '\u0000from', '\u0000to'];
  let manifestQuery: CompiledQuery<ContentRaw> | undefined;
  const compiledManifest = () =>
    (manifestQuery ??= manifestRows()
      .where('o.hamlet_id', '=', HAMLET)
      .where('o.starts_at', '>=', FROM)
      .where('o.starts_at', '<', TO)
      .orderBy('o.starts_at')
      .orderBy('o.id')
      .compile());

  type ContentRaw = Awaited<ReturnType<ReturnType<typeof manifestRows>['execute']>>[number];
  type Content = Omit<ManifestOccurrence, 'occurrenceId' | 'startsAt' | 'durationMs' | 'priority'>;
  /** Adds a row's variant to the content it belongs to, made from the row when it is the first. */
  const addVariant = (
    found: Content | undefined,
    r: Omit<ContentRaw, 'id' | 'hamlet_id' | 'starts_at' | 'duration_ms' | 'priority'>,
  ): Content & { variants: ManifestOccurrence['variants'][number][] } => {
    const content = (found ?? {
      title: r.title ?? 'Tiếp sóng',
      relay: r.relay_url ? { url: r.relay_url, durationS: Number(r.relay_duration_s) } : null,
      leadIn:
        r.lead_sha256 && r.lead_format
          ? {
              sha256: r.lead_sha256,
              bytes: Number(r.lead_bytes),
              durationMs: Number(r.lead_duration_ms),
              format: r.lead_format,
            }
          : null,
      variants: [],
    }) as Content & { variants: ManifestOccurrence['variants'][number][] };
    if (r.language && r.sha256 && r.format) {
      content.variants.push({
        language: r.language,
        sha256: r.sha256,
        bytes: Number(r.bytes),
        durationMs: Number(r.audio_duration_ms),
        format: r.format,
      });
    }
    return content;
  };
  const group = (rows: readonly ContentRaw[]): ManifestOccurrence[] => {
    const byId = new Map<string, ManifestOccurrence>();
    for (const r of rows) {
      const found = byId.get(r.id);
      const content = addVariant(found, r);
      if (!found)
        byId.set(r.id, {
          occurrenceId: r.id,
          startsAt: r.starts_at,
          durationMs: Number(r.duration_ms),
          priority: r.priority,
          ...content,
        });
    }
    return [...byId.values()];
  };

  return {
    /**
     * The device behind a token digest with its hamlet's schedule version and languages: one indexed
     * lookup (unique `receivers.token_hash`, then the hamlet's primary key), which is all a 304 needs.
     * Lookups made at the same moment share one query.
     */
    findReceiverSessionByTokenHash: findSession,

    /** Live occurrences of a hamlet starting in [from, to), with their ready audio variants. */
    async listManifestOccurrences(hamletId: string, from: string, to: string): Promise<ManifestOccurrence[]> {
      const given: Record<string, string> = { [HAMLET]: hamletId, [FROM]: from, [TO]: to };
      const compiled = compiledManifest();
      const { rows } = await db.executeQuery<ContentRaw>({
        ...compiled,
        parameters: compiled.parameters.map((p) => (typeof p === 'string' ? (given[p] ?? p) : p)),
      });
      return group(rows);
    },

    /** One occurrence as a manifest entry, with its hamlet's languages: what an emergency push carries. */
    async findManifestOccurrence(
      occurrenceId: string,
    ): Promise<{ occurrence: ManifestOccurrence; hamletId: string; languages: string[] } | undefined> {
      const rows = await manifestRows()
        .innerJoin('hamlets as h', 'h.id', 'o.hamlet_id')
        .select('h.languages')
        .where('o.id', '=', occurrenceId)
        .execute();
      const occurrence = group(rows)[0];
      return (
        occurrence && {
          occurrence,
          hamletId: rows[0]!.hamlet_id,
          languages: JSON.parse(rows[0]!.languages) as string[],
        }
      );
    },

    async listDueBookingOccurrences(bookingId, dueBy, hamletIds) {
      if (hamletIds.length === 0) return [];
      // The content once per broadcast and the occurrences without it: a country's emergency is 3,321
      // broadcasts of one recording aired in 30,000 hamlets, and joining the content to each occurrence
      // was most of the time an instance took to push it.
      let due = fromBroadcasts()
        .innerJoin('hamlets as h', 'h.id', 'o.hamlet_id')
        .select(['o.id', 'o.broadcast_id', 'o.hamlet_id', 'o.starts_at', 'o.duration_ms', 'o.priority'])
        .select('h.languages')
        .where('b.booking_id', '=', bookingId)
        .where('o.starts_at', '<=', dueBy)
        .where('o.status', '!=', 'cancelled')
        .where('b.cancelled_at', 'is', null);
      // More than a statement can name (an instance holding channels across the country on D1): the
      // booking's due occurrences are read whole and the caller keeps its own.
      if (hamletIds.length <= namedHamlets) due = due.where('o.hamlet_id', 'in', [...hamletIds]);
      const rows = await due.orderBy('o.starts_at').orderBy('o.id').execute();
      if (rows.length === 0) return [];
      const contentRows = await withContent(db.selectFrom('broadcasts as b'))
        .select('b.id')
        .where('b.booking_id', '=', bookingId)
        .where('b.cancelled_at', 'is', null)
        .execute();
      const contents = new Map<string, Content>();
      for (const r of contentRows) contents.set(r.id, addVariant(contents.get(r.id), r));
      return rows.flatMap((r) => {
        const content = contents.get(r.broadcast_id);
        if (!content) return [];
        const occurrence: ManifestOccurrence = {
          occurrenceId: r.id,
          startsAt: r.starts_at,
          durationMs: Number(r.duration_ms),
          priority: r.priority,
          ...content,
        };
        return [{ occurrence, hamletId: r.hamlet_id, languages: JSON.parse(r.languages) as string[] }];
      });
    },

    /** Latest state on the receiver, plus a history row, together. */
    async saveHeartbeat(h) {
      // A heartbeat more than one online window after the previous one starts a new online stretch.
      const stretchAfter = new Date(Date.parse(h.at) - onlineWindowMs()).toISOString();
      await db
        .updateTable('receivers')
        .set((eb) => ({
          last_seen_at: h.at,
          last_state: JSON.stringify(h.state),
          free_bytes: h.freeBytes,
          online_since: eb
            .case()
            .when(eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<', stretchAfter)]))
            .then(h.at)
            .else(eb.fn.coalesce('online_since', 'last_seen_at'))
            .end(),
        }))
        .where('id', '=', h.receiverId)
        .execute();
      await db
        .insertInto('receiver_heartbeats')
        .values({
          id: h.id,
          receiver_id: h.receiverId,
          at: h.at,
          volume: h.volume,
          uptime_s: h.uptimeS,
          free_bytes: h.freeBytes,
          signal: h.signal,
          app_version: h.appVersion,
        })
        .execute();
    },

    async recordPlaybackRun(receiverId, run) {
      await db
        .updateTable('receivers')
        .set((eb) => ({
          playback_failures: run.reset ? run.failures : eb('playback_failures', '+', run.failures),
        }))
        .where('id', '=', receiverId)
        .execute();
    },

    ...stretchReads(db),

    async findOccurrencesForLogs(ids) {
      if (ids.length === 0) return [];
      const rows = await db
        .selectFrom('occurrences')
        .select(['id', 'hamlet_id', 'starts_at', 'duration_ms', 'status'])
        .where('id', 'in', [...ids])
        .execute();
      return rows.map((r) => ({
        id: r.id,
        hamletId: r.hamlet_id,
        startsAt: r.starts_at,
        durationMs: Number(r.duration_ms),
        status: r.status,
      }));
    },

    /**
     * Inserts the events that are new and ignores those already stored for the same (receiver, event id),
     * through the unique constraint, so that a retried batch never duplicates. Returns the event ids it stored.
     */
    async insertPlaybackEvents(events) {
      if (events.length === 0) return [];
      const stored = await db
        .insertInto('playback_events')
        .values(
          events.map((e) => ({
            id: e.id,
            receiver_id: e.receiverId,
            event_id: e.eventId,
            occurrence_id: e.occurrenceId,
            type: e.type,
            at: e.at,
            detail: e.detail,
            audio_sha256: e.sha256,
            received_at: e.receivedAt,
          })),
        )
        .onConflict((oc) => oc.columns(['receiver_id', 'event_id']).doNothing())
        .returning('event_id')
        .execute();
      return stored.map((row) => row.event_id);
    },

    /**
     * PostgreSQL: `select … for no key update` holds the occurrences, in id order, until the unit of work
     * ends, so that two batches reporting on one airing decide its status one after the other, the second
     * reading what the first stored. It does not wait for the key-share locks that storing an event takes.
     * SQLite: the unit of work began with `begin immediate` and already holds the one write lock.
     */
    async lockOccurrences(ids) {
      if (ids.length === 0 || !capabilities.rowLocks) return;
      await db
        .selectFrom('occurrences')
        .select('id')
        .where('id', 'in', [...new Set(ids)].sort())
        .orderBy('id')
        .forNoKeyUpdate()
        .execute();
    },

    /** Every receiver's events for these occurrences. */
    async listPlaybackReports(occurrenceIds) {
      if (occurrenceIds.length === 0) return [];
      const rows = await db
        .selectFrom('playback_events')
        .select(['occurrence_id', 'receiver_id', 'type', 'at', 'detail', 'audio_sha256'])
        .where('occurrence_id', 'in', [...occurrenceIds])
        .execute();
      return rows.map((r) => ({
        occurrenceId: r.occurrence_id,
        receiverId: r.receiver_id,
        type: r.type,
        at: r.at,
        detail: r.detail,
        sha256: r.audio_sha256,
      }));
    },

    async setOccurrenceStatus(ids, status, now) {
      if (ids.length === 0) return;
      await db
        .updateTable('occurrences')
        .set({ status, updated_at: now })
        .where('id', 'in', [...ids])
        .where('status', '!=', 'cancelled')
        .execute();
    },
  };
}
