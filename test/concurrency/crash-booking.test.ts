import { afterEach, describe, expect, it } from 'vitest';
import { crashAfter, createRestartableHarness, type RestartableHarness } from '../support/crash.js';
import { dialects } from '../support/databases.js';

// The harness clock starts at 2026-11-27T01:00Z = 08:00 in Asia/Ho_Chi_Minh.
const at = '2026-11-28T09:00:00+07:00';
const booking = (priority: 'normal' | 'priority', path: string) => ({
  relay: { url: `https://radio.example.vn/live/${path}`, durationS: 300 },
  hamletIds: ['un-ta'],
  at,
  priority,
});

/**
 * Booking writes the broadcast, its occurrences, the cancellation of what it displaces, the new schedule
 * version and an audit row in one unit of work: a crash between two of those steps leaves the schedule
 * exactly as it was, and releases the hamlet for the next booking.
 */
describe.each(dialects)('a crash while booking on %s', (dialect) => {
  let s: RestartableHarness | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  const post = (t: RestartableHarness, body: unknown) =>
    t.request('/api/v1/broadcasts', { method: 'POST', token: t.h.tokens.officer, json: body });

  /** What a booking changes, as stored. */
  async function schedule(t: RestartableHarness) {
    const db = t.runtime.db.kysely;
    const broadcasts = await db.selectFrom('broadcasts').select('id').orderBy('id').execute();
    const occurrences = await db
      .selectFrom('occurrences')
      .select(['id', 'broadcast_id', 'starts_at', 'status'])
      .orderBy('id')
      .execute();
    const version = await db
      .selectFrom('hamlets')
      .select('schedule_version')
      .where('id', '=', 'un-ta')
      .executeTakeFirstOrThrow();
    const audit = await db
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'broadcast.create')
      .execute();
    return {
      broadcasts: broadcasts.map((b) => b.id),
      occurrences,
      version: Number(version.schedule_version),
      audit: audit.length,
    };
  }

  /**
   * A normal booking holds 09:00; a priority booking for the same time crashes after writing its
   * occurrence (or, in the second case, after also cancelling the normal one): 500, and the broadcast,
   * occurrence, cancellation, version bump and audit row are all gone. The same booking made again
   * without the crash displaces the normal one as it should.
   */
  it.each([
    ['broadcasts', 'insertOccurrences'],
    ['broadcasts', 'cancelOccurrences'],
  ] as const)('a crash after %s.%s answers 500 and changes nothing', async (repo, method) => {
    s = await createRestartableHarness(dialect);
    const held = await post(s, booking('normal', 'held'));
    expect(held.status).toBe(201);
    const heldId = ((await held.json()) as { occurrences: { id: string }[] }).occurrences[0]!.id;

    await s.restart({ decorateRepositories: crashAfter(repo, method) });
    const before = await schedule(s);
    expect(before.occurrences).toEqual([expect.objectContaining({ id: heldId, status: 'scheduled' })]);
    const failed = await post(s, booking('priority', 'urgent'));
    expect(failed.status).toBe(500);
    expect(await schedule(s)).toEqual(before);
    // The hamlet is not left locked, and the normal booking still holds the time.
    const refused = await post(s, booking('normal', 'late'));
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { conflicts: { id: string }[] }).conflicts.map((c) => c.id)).toEqual([
      heldId,
    ]);

    await s.restart();
    const placed = await post(s, booking('priority', 'urgent'));
    expect(placed.status).toBe(201);
    const created = (await placed.json()) as { id: string; displaced: { id: string }[] };
    expect(created.displaced.map((d) => d.id)).toEqual([heldId]);
    const after = await schedule(s);
    expect(after.version).toBe(before.version + 1);
    expect(after.audit).toBe(before.audit + 1);
    expect(after.broadcasts).toEqual([...before.broadcasts, created.id].sort());
    expect(after.occurrences.filter((o) => o.status === 'scheduled').map((o) => o.broadcast_id)).toEqual([
      created.id,
    ]);
  });
});
