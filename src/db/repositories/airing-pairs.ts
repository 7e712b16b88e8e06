import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { PresenceRule } from '../../domain/ports/repositories.js';
import { INTERRUPTIONS } from '../../domain/receiver/playback.js';
import type { DbCapabilities } from '../database.js';
import { instantPlusMs } from '../instants.js';
import type { Database } from '../schema.js';

/**
 * The SQL of coverage counted per receiver, shared by the commune's reports and the province's
 * roll-ups: every (occurrence, receiver) pair where the receiver was expected to air it, and the facts
 * `playbackStatus` decides on, as 0/1 columns the database can group by.
 */
export type Pairs = ExpressionBuilder<
  Database & { o: Database['occurrences']; r: Database['receivers'] },
  'o' | 'r'
>;

const flag = (eb: Pairs, condition: ReturnType<Pairs['exists']>) =>
  eb.case().when(condition).then(1).else(0).end();

/** A heartbeat of the pair's receiver in the occurrence's presence window (`presenceWindow`). */
export const heard = (eb: Pairs, capabilities: DbCapabilities, rule: PresenceRule) =>
  flag(
    eb,
    eb.exists(
      eb
        .selectFrom('receiver_heartbeats as hb')
        .select(sql<number>`1`.as('x'))
        .whereRef('hb.receiver_id', '=', 'r.id')
        .where('hb.at', '>=', instantPlusMs(capabilities, sql.ref('o.starts_at'), sql`${-rule.beforeMs}`))
        .where(
          'hb.at',
          '<=',
          instantPlusMs(capabilities, sql.ref('o.starts_at'), sql`o.duration_ms + ${rule.graceMs}`),
        ),
    ),
  );

/** Whether the pair's occurrence is over, grace included, at `now`. */
export const due = (capabilities: DbCapabilities, rule: PresenceRule, now: string) =>
  sql<number>`case when ${instantPlusMs(capabilities, sql.ref('o.starts_at'), sql`o.duration_ms + ${rule.graceMs}`)} < ${now} then 1 else 0 end`;

/**
 * Every (occurrence, receiver) pair where the receiver was expected to air it: a receiver that was in
 * its hamlet when it started (a stretch of the box there holds the start: made or moved there before,
 * not moved away yet) and enabled then (not switched off since before it, nor in a stretch it was
 * switched off and on again). A box moved since stays expected of what aired where it was, and only
 * there. Cancelled occurrences expect nothing.
 */
export const expectedPairs = (db: Kysely<Database>) =>
  db
    .selectFrom('occurrences as o')
    .innerJoin('receiver_hamlet_stretches as s', (join) =>
      join
        .onRef('s.hamlet_id', '=', 'o.hamlet_id')
        .onRef('s.arrived_at', '<=', 'o.starts_at')
        .on((eb) => eb.or([eb('s.left_at', 'is', null), eb('s.left_at', '>', eb.ref('o.starts_at'))])),
    )
    .innerJoin('receivers as r', 'r.id', 's.receiver_id')
    .where((eb) => eb.or([eb('r.disabled_at', 'is', null), eb('r.disabled_at', '>', eb.ref('o.starts_at'))]))
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('receiver_off_periods as off')
            .select('off.receiver_id')
            .whereRef('off.receiver_id', '=', 'r.id')
            .whereRef('off.off_from', '<=', 'o.starts_at')
            .whereRef('off.off_until', '>', 'o.starts_at'),
        ),
      ),
    )
    .where('o.status', '!=', 'cancelled');

/**
 * What the pair's receiver reported about the pair's occurrence, in one lookup of its events rather
 * than one per kind: 8 for a failure it was told to have (`INTERRUPTIONS`), 4 for any other failure, 2
 * for a start or completion, 1 for a skip, added up.
 */
const reports = (eb: Pairs) => {
  const interruption = sql`e.type = 'failed' and coalesce(e.detail, '') in (${sql.join(INTERRUPTIONS)})`;
  return eb.fn.coalesce(
    eb
      .selectFrom('playback_events as e')
      .select(
        sql<number>`max(case when ${interruption} then 8 else 0 end) + max(case when e.type = 'failed' and not (${interruption}) then 4 else 0 end) + max(case when e.type in ('started', 'completed') then 2 else 0 end) + max(case when e.type = 'skipped' then 1 else 0 end)`.as(
          'mask',
        ),
      )
      .whereRef('e.occurrence_id', '=', 'o.id')
      .whereRef('e.receiver_id', '=', 'r.id'),
    sql<number>`0`,
  );
};

/** The facts of one pair as selected columns: its reports as a bit mask, then `due` and `heard`. */
export const factColumns = (eb: Pairs, capabilities: DbCapabilities, rule: PresenceRule, now: string) =>
  [
    reports(eb).as('reports'),
    due(capabilities, rule, now).as('due'),
    heard(eb, capabilities, rule).as('heard'),
  ] as const;

/** The columns a grouped query groups the facts by. */
export const factGroup = ['p.reports', 'p.due', 'p.heard'] as const;

/** The fact columns of a grouped row as booleans. */
export const factsOf = (row: { reports: unknown; due: unknown; heard: unknown }) => {
  const mask = Number(row.reports);
  return {
    failed: (mask & 12) !== 0,
    interrupted: (mask & 12) === 8,
    aired: (mask & 2) !== 0,
    skipped: (mask & 1) !== 0,
    due: Number(row.due) === 1,
    heard: Number(row.heard) === 1,
  };
};
