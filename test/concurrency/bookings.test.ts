import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import {
  bookAtOnce,
  liveOccurrences,
  localDate,
  startTwoInstances,
  type Answer,
  type TwoInstances,
} from '../support/two-instances.js';

/**
 * The scheduling rules hold when many bookings race on two instances of the service sharing one
 * database: two `loa serve` processes on one SQLite file, two runtimes on one PostgreSQL database. Every
 * request is sent before any answer comes back; the answers and the stored rows must both say that the
 * bookings were placed one after the other.
 */
describe.each(dialects)('concurrent bookings on two instances over %s', (dialect) => {
  let two: TwoInstances;
  let date: string;
  beforeAll(async () => {
    two = await startTwoInstances(dialect);
    date = localDate(two.now(), 2);
  });
  afterAll(() => two?.close());

  const relay = (path: string, durationS: number) => ({
    url: `https://radio.example.vn/live/${path}`,
    durationS,
  });
  const withStatus = (answers: readonly Answer[], status: number) =>
    answers.filter((a) => a.status === status);

  /** 50 identical exact-time bookings: one is placed, 49 are told it clashes with that one. */
  it('places exactly one of 50 identical bookings and refuses the other 49 with 409', async () => {
    const at = `${date}T09:00:00+07:00`;
    const answers = await bookAtOnce(
      two,
      Array.from({ length: 50 }, () => ({
        relay: relay('a', 300),
        hamletIds: ['un-ta'],
        at,
        priority: 'normal',
      })),
    );

    expect(answers.map((a) => a.status).sort()).toEqual([201, ...Array<number>(49).fill(409)]);
    const winner = withStatus(answers, 201)[0]!.body;
    for (const refused of withStatus(answers, 409)) {
      expect(refused.body.conflicts.map((c: { id: string }) => c.id)).toEqual([winner.occurrences[0].id]);
    }

    const stored = await liveOccurrences(two.db, 'un-ta', `${date}T08:00:00+07:00`, `${date}T09:30:00+07:00`);
    expect(stored.map((o) => o.id)).toEqual([winner.occurrences[0].id]);
    expect(stored[0]!.startsAt).toBe(Date.parse(at));
    // A refused booking leaves no broadcast behind.
    const broadcasts = await two.db
      .selectFrom('broadcasts')
      .select('id')
      .where('relay_url', '=', relay('a', 300).url)
      .execute();
    expect(broadcasts.map((b) => b.id)).toEqual([winner.id]);
  });

  /**
   * 50 three-minute relays into one evening slot (45 min of air time): 15 fit, 35 are refused as
   * overflow, and the 15 play back to back from the slot's start without overlapping.
   */
  it("never books more than the slot's air time, and packs what it booked back to back", async () => {
    const answers = await bookAtOnce(
      two,
      Array.from({ length: 50 }, () => ({
        relay: relay('b', 180),
        hamletIds: ['un-ta'],
        slot: { name: 'evening', date },
      })),
    );

    const booked = withStatus(answers, 201);
    const refused = withStatus(answers, 422);
    expect(booked.length + refused.length).toBe(50);
    const bookedMs = booked.reduce((sum, a) => sum + a.body.occurrences[0].durationMs, 0);
    expect(bookedMs).toBeLessThanOrEqual(45 * 60_000);
    // 15 × 3 min fill the slot exactly: fewer would mean a booking was refused while room was left.
    expect(booked).toHaveLength(15);
    for (const r of refused) expect(r.body.type).toBe('urn:loa:problem:slot_overflow');

    const slotStart = Date.parse(`${date}T17:00:00+07:00`);
    const stored = await liveOccurrences(two.db, 'un-ta', `${date}T16:00:00+07:00`, `${date}T18:00:00+07:00`);
    expect(stored.map((o) => o.broadcastId).sort()).toEqual(booked.map((a) => a.body.id).sort());
    expect(stored.map((o) => o.startsAt - slotStart)).toEqual(
      Array.from({ length: 15 }, (_, i) => i * 180_000),
    );
    expect(stored.every((o) => o.durationMs === 180_000 && o.slotName === 'evening')).toBe(true);
  });

  /**
   * A priority booking racing 20 normal ones for the same time: it always gets in; a normal one
   * placed before it (at most one) is cancelled by it, none is placed after it, and in the end the
   * priority one alone holds that time.
   */
  /** A phone on a bad link sending one booking 20 times under its key: one booking, every answer it. */
  it('books 20 copies of one request under one Idempotency-Key once, and answers each with it', async () => {
    const at = `${date}T11:00:00+07:00`;
    const request = { relay: relay('d', 300), hamletIds: ['un-ta', 'thon-2'], at, priority: 'normal' };
    const answers = await bookAtOnce(two, Array<unknown>(20).fill(request), {
      'idempotency-key': `phone-${dialect}-7f3a9c`,
    });

    expect(answers.map((a) => a.status)).toEqual(Array<number>(20).fill(201));
    const ids = new Set(answers.map((a) => a.body.id as string));
    expect(ids.size).toBe(1);
    const occurrences = answers.map((a) => a.body.occurrences.map((o: { id: string }) => o.id).sort());
    for (const o of occurrences) expect(o).toEqual(occurrences[0]);
    const broadcasts = await two.db
      .selectFrom('broadcasts')
      .select('id')
      .where('relay_url', '=', request.relay.url)
      .execute();
    expect(broadcasts.map((b) => b.id)).toEqual([...ids]);
    const stored = await liveOccurrences(
      two.db,
      'thon-2',
      `${date}T10:30:00+07:00`,
      `${date}T11:30:00+07:00`,
    );
    expect(stored.map((o) => o.broadcastId)).toEqual([...ids]);
  });

  it('lets a priority booking displace what was booked before it, and nothing after it', async () => {
    const at = `${date}T10:00:00+07:00`;
    const normal = { relay: relay('c', 300), hamletIds: ['un-ta'], at, priority: 'normal' };
    const priority = { relay: relay('c-priority', 300), hamletIds: ['un-ta'], at, priority: 'priority' };
    const bodies = [...Array<unknown>(10).fill(normal), priority, ...Array<unknown>(10).fill(normal)];
    const answers = await bookAtOnce(two, bodies);

    const winner = answers[10]!;
    expect(winner.status).toBe(201);
    const priorityId: string = winner.body.occurrences[0].id;
    const normals = answers.filter((_, i) => i !== 10);
    const placedNormals = withStatus(normals, 201).map((a) => a.body.occurrences[0].id as string);
    expect(withStatus(normals, 409)).toHaveLength(20 - placedNormals.length);
    // Equal priorities clash, so at most one normal booking can ever have got in: the first one.
    expect(placedNormals.length).toBeLessThanOrEqual(1);
    // The priority booking pushed aside exactly the normal ones placed before it.
    expect(winner.body.displaced.map((d: { id: string }) => d.id)).toEqual(placedNormals);
    for (const refused of withStatus(normals, 409)) {
      const clashes = refused.body.conflicts.map((c: { id: string }) => c.id);
      expect(clashes).toHaveLength(1);
      expect([priorityId, ...placedNormals]).toContain(clashes[0]);
    }

    const stored = await liveOccurrences(two.db, 'un-ta', `${date}T09:30:00+07:00`, `${date}T10:30:00+07:00`);
    expect(stored.map((o) => [o.id, o.priority])).toEqual([[priorityId, 'priority']]);
    if (placedNormals.length > 0) {
      const cancelled = await two.db
        .selectFrom('occurrences')
        .select('status')
        .where('id', 'in', placedNormals)
        .execute();
      expect(cancelled.map((o) => o.status)).toEqual(['cancelled']);
    }
  });
});
