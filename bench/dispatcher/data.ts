// Bulk data for the dispatcher benchmark: communes, hamlets, announcements with ready variants, and
// recurring broadcasts materialised up to the horizon as a booking leaves them — written straight into
// the database through Kysely, since 20,000 bookings through the API would take longer than the
// benchmark itself and measure something else.
import type { Insertable, Kysely } from 'kysely';
import type {
  AnnouncementTable,
  AnnouncementVariantTable,
  AudioAssetTable,
  BroadcastTable,
  CommuneTable,
  Database,
  HamletTable,
  OccurrenceTable,
} from '../../src/db/schema.js';
import type { BroadcastWhen } from '../../src/domain/broadcast.js';
import {
  airTimeMs,
  iso,
  nextStartOf,
  startsOf,
  type BroadcastContent,
  type CommuneRules,
} from '../../src/domain/schedule/index.js';

export interface Shape {
  readonly communes: number;
  readonly hamletsPerCommune: number;
  /** Recurring broadcasts per hamlet: 1, 2 or 4 of the four patterns below. */
  readonly broadcastsPerHamlet: 1 | 2 | 4;
}

const ANNOUNCEMENTS_PER_COMMUNE = 20;
// Rows per INSERT: under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters at up to 14 columns.
const CHUNK = 2000;

/**
 * The four patterns a hamlet's series follow, at minute 0, 15, 30 or 45 depending on the commune: two
 * daily announcements (06:mm and 11:mm), a relay on weekdays at 17:mm and a weekly relay on Sundays.
 * Sixteen distinct cron expressions in all, every commune on Asia/Ho_Chi_Minh time.
 */
const patterns = (minute: number) =>
  [
    { cron: `${minute} 6 * * *`, relay: null },
    { cron: `${minute} 11 * * *`, relay: null },
    { cron: `${minute} 17 * * 1-5`, relay: 900 },
    { cron: `${minute} 19 * * 0`, relay: 1800 },
  ] as const;

async function insertChunked(
  db: Kysely<Database>,
  table: keyof Database,
  rows: readonly object[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK) as never)
      .execute();
  }
}

const adminId = async (db: Kysely<Database>) =>
  (await db.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow()).id;

/** The bench's hamlets in order: every other one plays `vi` then `giay`, the others `vi` only. */
const hamletsOf = (shape: Shape) =>
  Array.from({ length: shape.communes * shape.hamletsPerCommune }, (_, i) => {
    const c = Math.floor(i / shape.hamletsPerCommune);
    const h = i % shape.hamletsPerCommune;
    return {
      id: `bench-${c}-h${h}`,
      communeId: `bench-${c}`,
      c,
      languages: h % 2 === 0 ? ['vi', 'giay'] : ['vi'],
    };
  });

/**
 * Fills a migrated, seeded database with the places and the content: `shape.communes` communes with
 * the seeded commune's settings, their hamlets, and 20 announcements per commune with ready `vi` and
 * `giay` recordings (60–250 s). Returns the number of hamlets.
 */
export async function buildPlaces(db: Kysely<Database>, shape: Shape, at: string): Promise<number> {
  const seeded = await db.selectFrom('communes').select('settings').executeTakeFirstOrThrow();
  const admin = await adminId(db);
  const communes: Insertable<CommuneTable>[] = [];
  const hamlets: Insertable<HamletTable>[] = [];
  const assets: Insertable<AudioAssetTable>[] = [];
  const announcements: Insertable<AnnouncementTable>[] = [];
  const variants: Insertable<AnnouncementVariantTable>[] = [];
  for (let c = 0; c < shape.communes; c++) {
    const communeId = `bench-${c}`;
    communes.push({
      id: communeId,
      name: `Xã thử ${c}`,
      code: String(90000 + c),
      province_code: '15',
      time_zone: 'Asia/Ho_Chi_Minh',
      settings: seeded.settings,
      created_at: at,
      updated_at: at,
    });
    for (let a = 0; a < ANNOUNCEMENTS_PER_COMMUNE; a++) {
      const id = `${communeId}-a${a}`;
      announcements.push({
        id,
        commune_id: communeId,
        hamlet_id: null,
        title: `Thông báo ${a + 1}`,
        category: 'general',
        created_by: admin,
        status: 'ready',
        error: null,
        approval: 'approved',
        approval_reason: null,
        approved_by: admin,
        approved_at: at,
        created_at: at,
        updated_at: at,
      });
      for (const [language, seconds] of [
        ['vi', 60 + 10 * a],
        ['giay', 50 + 10 * a],
      ] as const) {
        const sha256 = `${id}-${language}`.padEnd(64, '0');
        assets.push({
          sha256,
          format: 'mp3',
          bytes: seconds * 8000,
          duration_ms: seconds * 1000,
          integrated_lufs: -16,
          true_peak_dbtp: -1.5,
          lra_lu: 4,
          source_codec: 'mp3',
          source_duration_ms: seconds * 1000,
          source_lufs: null,
          peaks: '[]',
          created_at: at,
        });
        variants.push({
          id: `${id}-${language}`,
          announcement_id: id,
          language,
          source_kind: 'upload',
          source_key: null,
          source_name: null,
          text: null,
          voice: null,
          status: 'ready',
          error: null,
          audio_sha256: sha256,
          opus_sha256: null,
          created_at: at,
          updated_at: at,
        });
      }
    }
  }

  for (const hamlet of hamletsOf(shape)) {
    hamlets.push({
      id: hamlet.id,
      commune_id: hamlet.communeId,
      name: `Thôn ${hamlet.id}`,
      languages: JSON.stringify(hamlet.languages),
      lat: null,
      lon: null,
      is_example: 0,
      created_at: at,
      updated_at: at,
    });
  }
  await db.transaction().execute(async (trx) => {
    await insertChunked(trx, 'communes', communes);
    await insertChunked(trx, 'hamlets', hamlets);
    await insertChunked(trx, 'audio_assets', assets);
    await insertChunked(trx, 'announcements', announcements);
    await insertChunked(trx, 'announcement_variants', variants);
  });
  return hamlets.length;
}

/**
 * Each hamlet's recurring broadcasts, as a booking at `now` leaves them: occurrences in
 * `[now, now + horizonMs)`, `materialised_until` at the horizon, `next_start_at` at the first airing
 * beyond it. Returns how many broadcasts and occurrences were written.
 */
export async function buildSeries(
  db: Kysely<Database>,
  shape: Shape,
  now: number,
  horizonMs: number,
  rules: CommuneRules,
): Promise<{ broadcasts: number; occurrences: number }> {
  const admin = await adminId(db);
  const at = iso(now - 86_400_000);
  const horizon = now + horizonMs;
  // Expanded once per cron expression: every commune shares the zone, the window and the rules.
  const expanded = new Map<string, { starts: readonly number[]; next: number | null }>();
  const expand = (when: BroadcastWhen) => {
    const cron = when.recurrence!.cron!;
    let found = expanded.get(cron);
    if (!found) {
      const starts = startsOf(when, 'normal', rules, { from: now, to: horizon });
      if (!starts.ok) throw new Error(`${cron}: ${starts.error.messageEn}`);
      found = {
        starts: starts.value.map((s) => s.startsAt),
        next: nextStartOf(when, 'normal', rules, horizon),
      };
      expanded.set(cron, found);
    }
    return found;
  };

  const broadcasts: Insertable<BroadcastTable>[] = [];
  const occurrences: Insertable<OccurrenceTable>[] = [];
  const step = 4 / shape.broadcastsPerHamlet;
  for (const [index, hamlet] of hamletsOf(shape).entries()) {
    const { c, languages } = hamlet;
    for (let k = 0; k < shape.broadcastsPerHamlet; k++) {
      const kind = (index + k * step) % 4;
      const pattern = patterns(15 * (c % 4))[kind]!;
      const id = `${hamlet.id}-b${k}`;
      const announcementId = `bench-${c}-a${(index + k) % ANNOUNCEMENTS_PER_COMMUNE}`;
      const a = Number(announcementId.split('-a')[1]);
      const content: BroadcastContent = pattern.relay
        ? { kind: 'relay', url: 'https://radio.example.vn/vov1', durationS: pattern.relay }
        : {
            kind: 'announcement',
            announcementId,
            variants: [
              { language: 'vi', durationMs: (60 + 10 * a) * 1000 },
              { language: 'giay', durationMs: (50 + 10 * a) * 1000 },
            ],
          };
      const when: BroadcastWhen = { recurrence: { cron: pattern.cron, from: at } };
      const { starts, next } = expand(when);
      const priority = index % 10 === 0 && kind === 1 ? 'priority' : 'normal';
      broadcasts.push({
        id,
        commune_id: hamlet.communeId,
        announcement_id: pattern.relay ? null : announcementId,
        relay_url: pattern.relay ? 'https://radio.example.vn/vov1' : null,
        relay_duration_s: pattern.relay,
        hamlet_ids: JSON.stringify([hamlet.id]),
        schedule: JSON.stringify(when),
        priority,
        created_by: admin,
        created_at: at,
        cancelled_at: null,
        cancelled_by: null,
        materialised_until: iso(horizon),
        next_start_at: next === null ? null : iso(next),
      });
      const durationMs = airTimeMs(content, { languages });
      for (const start of starts) {
        occurrences.push({
          id: `${id}-${start}`,
          broadcast_id: id,
          hamlet_id: hamlet.id,
          starts_at: iso(start),
          duration_ms: durationMs,
          priority,
          slot_name: null,
          status: 'scheduled',
          created_at: at,
          updated_at: at,
        });
      }
    }
  }

  await db.transaction().execute(async (trx) => {
    await insertChunked(trx, 'broadcasts', broadcasts);
    await insertChunked(trx, 'occurrences', occurrences);
  });
  return { broadcasts: broadcasts.length, occurrences: occurrences.length };
}
