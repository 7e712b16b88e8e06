import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/domain/audit.js';
import type { Occurrence } from '../../src/domain/broadcast.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createReadyAnnouncement } from '../support/receiver-fixtures.js';

// One scenario run twice by the fake clock: with the 7-day rolling horizon and a dispatcher tick every
// 6 hours for 30 days, and with a horizon long enough to materialise every series at booking. The
// rules a series meets after its first week must be the ones it met in it, so both runs must end with
// the same schedule. Quiet hours moved midway over the series' booked airings are refused in both.

const DAY = 86_400_000;
const HOUR = 3_600_000;
const STEP = 6 * HOUR;
const DAYS = 30;
// The harness clock starts at 2026-11-27T01:00Z, 08:00 in Asia/Ho_Chi_Minh (UTC+7, no daylight saving).
const START = Date.parse('2026-11-27T01:00:00.000Z');
const OFFSET = 7 * HOUR;
const localDate = (day: number) => new Date(Date.UTC(2026, 10, 27 + day)).toISOString().slice(0, 10);
/** Local wall time `hh:mm` on day `day` of the run, as an ISO instant with its offset. */
const local = (day: number, hhmm: string) => `${localDate(day)}T${hhmm}:00+07:00`;
const utc = (day: number, hhmm: string) => new Date(Date.parse(local(day, hhmm))).toISOString();
const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
const relay = (name: string, durationS: number) => ({
  url: `https://radio.example.vn/${name}`,
  durationS,
});
const until = { from: local(0, '00:00'), until: local(35, '00:00') };

/** A booking or a settings change made at 08:00 local on `day`, recorded under `label`. */
interface Action {
  readonly day: number;
  readonly label: string;
  readonly send: (h: Harness, announcementId: string) => Promise<Response>;
}

const book = (token: 'officer' | 'head', json: (announcementId: string) => unknown) => {
  return (h: Harness, announcementId: string) =>
    h.request('/api/v1/broadcasts', { method: 'POST', token: h.tokens[token], json: json(announcementId) });
};

const actions: readonly Action[] = [
  // Booked before S2, which outranks it on day 10: placed now, pushed aside once S2 reaches day 10.
  {
    day: 0,
    label: 'N0',
    send: book('head', () => ({ relay: relay('n0', 600), hamletIds: ['un-ta'], at: local(10, '07:00') })),
  },
  {
    day: 0,
    label: 'S1',
    send: book('officer', () => ({
      relay: relay('s1', 600),
      hamletIds: ['un-ta', 'thon-2'],
      recurrence: { cron: '30 17 * * *', ...until },
    })),
  },
  {
    day: 0,
    label: 'S2',
    send: book('officer', (announcementId) => ({
      announcementId,
      hamletIds: ['un-ta', 'thon-4'],
      priority: 'priority',
      recurrence: { cron: '0 7 * * *', ...until },
    })),
  },
  {
    day: 0,
    label: 'S3',
    send: book('officer', () => ({
      relay: relay('s3', 900),
      hamletIds: ['un-ta'],
      recurrence: { cron: '0 21 * * *', ...until },
    })),
  },
  {
    day: 1,
    label: 'A',
    send: book('head', () => ({
      relay: relay('a', 300),
      hamletIds: ['un-ta'],
      slot: { name: 'evening', date: localDate(15) },
    })),
  },
  {
    day: 1,
    label: 'M1',
    send: book('head', () => ({
      relay: relay('m1', 2400),
      hamletIds: ['un-ta'],
      slot: { name: 'morning', date: localDate(16) },
    })),
  },
  {
    day: 2,
    label: 'P',
    send: book('officer', () => ({
      relay: relay('p', 300),
      hamletIds: ['un-ta'],
      priority: 'priority',
      at: local(12, '17:35'),
    })),
  },
  {
    day: 2,
    label: 'B',
    send: book('head', () => ({
      relay: relay('b', 1200),
      hamletIds: ['un-ta'],
      slot: { name: 'evening', date: localDate(15) },
    })),
  },
  {
    day: 2,
    label: 'M2',
    send: book('head', () => ({
      relay: relay('m2', 600),
      hamletIds: ['un-ta'],
      slot: { name: 'morning', date: localDate(16) },
    })),
  },
  {
    day: 3,
    label: 'X',
    send: book('head', () => ({ relay: relay('x', 600), hamletIds: ['un-ta'], at: local(20, '17:25') })),
  },
  {
    day: 4,
    label: 'C',
    send: book('officer', () => ({
      relay: relay('c', 180),
      hamletIds: ['un-ta'],
      priority: 'priority',
      slot: { name: 'evening', date: localDate(15) },
    })),
  },
  {
    day: 5,
    label: 'quiet',
    send: (h) =>
      h.request('/api/v1/commune', {
        method: 'PATCH',
        token: h.tokens.admin,
        json: { quietHours: { start: '21:00', end: '05:30' } },
      }),
  },
  {
    day: 6,
    label: 'D',
    send: book('head', () => ({
      relay: relay('d', 300),
      hamletIds: ['un-ta'],
      slot: { name: 'evening', date: localDate(15) },
    })),
  },
];

interface Run {
  /** Status and body of each action, by label. */
  readonly answers: ReadonlyMap<string, { readonly status: number; readonly body: any }>;
  /** Every occurrence of the run's broadcasts, cancelled ones included, with its broadcast's label. */
  readonly occurrences: readonly (Occurrence & { readonly label: string })[];
  readonly added: readonly number[];
  readonly skipped: readonly (AuditRecord & { readonly label: string })[];
}

/** Plays the scenario on a fresh database, ticking the dispatcher every 6 hours for 30 days. */
async function play(dialect: 'sqlite' | 'postgres', horizonMs?: number): Promise<Run> {
  const h = await createHarness(dialect, {}, horizonMs === undefined ? {} : { horizonMs });
  try {
    h.clock.set(new Date(START));
    const announcement = await createReadyAnnouncement(h, 'Lịch tiêm phòng gia súc', [
      { language: 'vi', seconds: 4, frequency: 440 },
      { language: 'giay', seconds: 3, frequency: 550 },
    ]);
    const answers = new Map<string, { status: number; body: any }>();
    const added: number[] = [];
    for (let t = START; t <= START + DAYS * DAY; t += STEP) {
      h.clock.set(new Date(t));
      for (const action of actions.filter((a) => START + a.day * DAY === t)) {
        const res = await action.send(h, announcement.id);
        answers.set(action.label, { status: res.status, body: await res.json() });
      }
      added.push((await h.runtime.dispatcher.tick()).added);
    }
    const labelOf = new Map(
      [...answers].filter(([, a]) => a.status === 201).map(([label, a]) => [a.body.id as string, label]),
    );
    const occurrences = (await h.runtime.repos.broadcasts.listOccurrencesOf([...labelOf.keys()])).map(
      (o) => ({ ...o, label: labelOf.get(o.broadcastId)! }),
    );
    const skipped = (await h.runtime.repos.audit.listRecentAudit(10_000))
      .filter((a) => a.action === 'broadcast.occurrence_skipped')
      .map((a) => ({ ...a, label: labelOf.get(a.targetId!)! }));
    return { answers, occurrences, added, skipped };
  } finally {
    await h.close();
  }
}

const live = (run: Run) => run.occurrences.filter((o) => o.status !== 'cancelled');
const afterWeekOne = (run: Run) => live(run).filter((o) => Date.parse(o.startsAt) >= START + 7 * DAY);
const key = (o: Occurrence & { label: string }) =>
  [o.label, o.hamletId, o.startsAt, o.durationMs, o.slotName ?? '-', o.status].join(' ');
const endOf = (o: Occurrence) => Date.parse(o.startsAt) + o.durationMs;
const slotStart = { morning: '05:30', evening: '17:00' } as const;
const rank = { normal: 0, priority: 1, emergency: 2 } as const;

describe.each(dialects)('a series after its first week on %s', (dialect) => {
  let ticking: Run;
  let oneGo: Run;
  beforeAll(async () => {
    ticking = await play(dialect);
    oneGo = await play(dialect, 40 * DAY);
  });

  it('materialises the series airings as the days pass in one run, and all at booking in the other', () => {
    for (const run of [ticking, oneGo]) {
      expect(live(run).filter((o) => o.label === 'S1' && o.hamletId === 'thon-2')).toHaveLength(35);
    }
    expect(oneGo.added.every((n) => n === 0)).toBe(true);
    // Three daily series, one more day each per tick of a day: the ticking run did the work.
    expect(ticking.added.reduce((a, b) => a + b, 0)).toBeGreaterThan(3 * 25);
  });

  it('holds the future airings of a series: a later booking of equal priority is refused with 409 naming it', () => {
    for (const run of [ticking, oneGo]) {
      const x = run.answers.get('X')!;
      expect(x.status).toBe(409);
      expect(x.body.conflicts).toEqual([
        expect.objectContaining({
          broadcastId: run.answers.get('S1')!.body.id,
          hamletId: 'un-ta',
          startsAt: utc(20, '17:30'),
          title: 'Tiếp sóng https://radio.example.vn/s1',
        }),
      ]);
      expect(live(run).some((o) => o.label === 'S1' && o.startsAt === utc(20, '17:30'))).toBe(true);
    }
  });

  it('lets a higher priority take a future airing, and a priority series push aside what was booked first', () => {
    for (const run of [ticking, oneGo]) {
      expect(run.answers.get('P')!.status).toBe(201);
      const s1 = live(run).filter((o) => o.label === 'S1' && o.hamletId === 'un-ta');
      expect(s1.map((o) => o.startsAt)).not.toContain(utc(12, '17:30'));
      expect(s1.map((o) => o.startsAt)).toContain(utc(13, '17:30'));
      // N0 was stored on day 0; S2 (priority, booked after it) reaches day 10 and displaces it.
      expect(run.occurrences.filter((o) => o.label === 'N0').map((o) => o.status)).toEqual(['cancelled']);
      expect(live(run).some((o) => o.label === 'S2' && o.startsAt === utc(10, '07:00'))).toBe(true);
    }
    // Only the dispatcher met these refusals, so only it left a record of them.
    expect(ticking.skipped).toContainEqual(
      expect.objectContaining({
        label: 'S1',
        details: expect.objectContaining({ hamletId: 'un-ta', at: utc(12, '17:30'), reason: 'conflict' }),
      }),
    );
  });

  it('keeps slot items after day 7 in their slot, packed priority first, and refuses one that would run into a series airing', () => {
    for (const run of [ticking, oneGo]) {
      const evening = live(run)
        .filter(
          (o) => o.hamletId === 'un-ta' && o.startsAt >= utc(15, '17:00') && o.startsAt < utc(15, '18:00'),
        )
        .sort((a, b) => a.startsAt.localeCompare(b.startsAt))
        .map((o) => [o.label, o.startsAt, o.slotName]);
      expect(evening).toEqual([
        ['C', utc(15, '17:00'), 'evening'],
        ['A', utc(15, '17:03'), 'evening'],
        ['B', utc(15, '17:08'), 'evening'],
        ['S1', utc(15, '17:30'), null],
      ]);
      // Packed after B it would play 17:28–17:33, into S1's airing at 17:30.
      const d = run.answers.get('D')!;
      expect(d.status).toBe(409);
      expect(d.body.conflicts).toEqual([
        expect.objectContaining({ broadcastId: run.answers.get('S1')!.body.id, startsAt: utc(15, '17:30') }),
      ]);
      expect(run.answers.get('M2')!.status).toBe(422);
      expect(run.answers.get('M2')!.body.type).toBe('urn:loa:problem:slot_overflow');
    }
  });

  it('obeys the overlap, slot and quiet-hour rules after day 7 in both runs', () => {
    for (const run of [ticking, oneGo]) {
      const after = afterWeekOne(run);
      expect(after.length).toBeGreaterThan(100);
      for (const hamlet of new Set(after.map((o) => o.hamletId))) {
        const items = after
          .filter((o) => o.hamletId === hamlet)
          .sort((a, b) => a.startsAt.localeCompare(b.startsAt));
        for (let i = 1; i < items.length; i++) {
          expect(
            Date.parse(items[i]!.startsAt),
            `${key(items[i - 1]!)} overlaps ${key(items[i]!)}`,
          ).toBeGreaterThanOrEqual(endOf(items[i - 1]!));
        }
      }
      const slots = new Map<string, typeof after>();
      for (const o of after.filter((o) => o.slotName !== null)) {
        const group = `${o.hamletId} ${o.slotName} ${new Date(Date.parse(o.startsAt) + OFFSET).toISOString().slice(0, 10)}`;
        slots.set(group, [...(slots.get(group) ?? []), o]);
      }
      expect(slots.size).toBe(2);
      for (const [group, items] of slots) {
        const sorted = [...items].sort((a, b) => a.startsAt.localeCompare(b.startsAt));
        const day = group.split(' ')[2]!;
        const name = items[0]!.slotName as keyof typeof slotStart;
        expect(sorted[0]!.startsAt, group).toBe(
          new Date(Date.parse(`${day}T${slotStart[name]}:00+07:00`)).toISOString(),
        );
        sorted.slice(1).forEach((o, i) => expect(Date.parse(o.startsAt), group).toBe(endOf(sorted[i]!)));
        expect(endOf(sorted.at(-1)!) - Date.parse(sorted[0]!.startsAt), group).toBeLessThanOrEqual(
          45 * 60_000,
        );
        const order = [...items].sort(
          (a, b) => rank[b.priority] - rank[a.priority] || a.bookedAt.localeCompare(b.bookedAt),
        );
        expect(
          sorted.map((o) => o.id),
          group,
        ).toEqual(order.map((o) => o.id));
      }
      // Each item keeps clear of the quiet hours, which stayed 21:30–05:30.
      for (const o of after.filter((o) => o.priority !== 'emergency')) {
        const from = (Date.parse(o.startsAt) + OFFSET) % DAY;
        expect(from, key(o)).toBeGreaterThanOrEqual(minutes('05:30') * 60_000);
        expect(from + o.durationMs, key(o)).toBeLessThanOrEqual(minutes('21:30') * 60_000);
      }
    }
  });

  it('ends with the same live occurrences in both runs, the quiet hours that would silence S3 refused in both', () => {
    expect(live(ticking).map(key).sort()).toEqual(live(oneGo).map(key).sort());
    // Moving quiet hours to 21:00 would put S3's booked airings at 21:00 in them: refused, naming them, in
    // the run that had booked a week of them as in the one that had booked them all.
    for (const run of [ticking, oneGo]) {
      const quiet = run.answers.get('quiet')!;
      expect(quiet.status).toBe(409);
      const s3 = new Set(
        live(run)
          .filter((o) => o.label === 'S3')
          .map((o) => o.id),
      );
      expect(quiet.body.airingIds.length).toBeGreaterThan(0);
      expect(quiet.body.airingIds.every((id: string) => s3.has(id))).toBe(true);
      expect(quiet.body.detail).toContain('https://radio.example.vn/s3');
    }
    expect(ticking.skipped.filter((s) => s.details!.reason === 'quiet_hours')).toEqual([]);
  });
});
