import { describe, expect, it, vi } from 'vitest';
import type { ManifestItem, PushMessage } from '../../src/domain/receiver/protocol.js';
import { createEventBus } from '../../src/events/in-process-bus.js';
import { createReceiverHub, type HubConnection } from '../../src/services/receiver-hub.js';
import { fakeIntervals } from '../support/fake-intervals.js';

type Delivered = Parameters<HubConnection['deliver']>[0];

/** A channel as the hub sees it: each write, and the messages they held in order. */
function connection(receiverId: string, tokenHash = `hash-${receiverId}`) {
  const writes: Delivered[] = [];
  const got: (PushMessage | { type: 'ping' })[] = [];
  const c: HubConnection & { got: typeof got; writes: typeof writes; closed: boolean } = {
    receiverId,
    tokenHash,
    got,
    writes,
    closed: false,
    deliver: (m) => {
      writes.push(m);
      got.push(...(Array.isArray(m) ? (m as readonly PushMessage[]) : [m as PushMessage]));
    },
    close: () => void (c.closed = true),
  };
  return c;
}

const item = { occurrenceId: 'o1', part: 0 } as ManifestItem;
const flush = () => new Promise((r) => setImmediate(r));
/** A token lookup still under way: every channel stays held as it was connected. */
const recheck = () => new Promise<never>(() => {});

describe('receiver hub', () => {
  it('subscribes to the bus and runs the keep-alive only while a channel is open', () => {
    const bus = createEventBus();
    const subscribe = vi.spyOn(bus, 'subscribe');
    const intervals = fakeIntervals();
    const hub = createReceiverHub({
      bus,
      emergencyItems: async () => [],
      recheck,
      timers: intervals.timers,
    });
    expect(intervals.count()).toBe(0);
    const a = connection('a');
    const b = connection('b');
    const offA = hub.connect({ hamletId: 'un-ta' }, a);
    const offB = hub.connect({ hamletId: 'thon-2' }, b);
    expect(subscribe).toHaveBeenCalledTimes(1);
    intervals.tick();
    expect(a.got).toEqual([{ type: 'ping' }]);
    expect(b.got).toEqual([{ type: 'ping' }]);
    offA();
    offB();
    expect(intervals.count()).toBe(0);
    expect(hub.stats()).toEqual({ connections: 0, hamlets: {} });
  });

  it('fans a schedule change out to its hamlets only, with an emergency in the same write, and looks the emergency up once for all', async () => {
    const bus = createEventBus();
    const emergencyItems = vi.fn(async (_: string, __: string, hamletIds: readonly string[]) =>
      hamletIds
        .filter((h) => h === 'un-ta')
        .map((hamletId) => ({ hamletId, occurrenceId: 'o1', items: [item] })),
    );
    const intervals = fakeIntervals();
    const hub = createReceiverHub({ bus, emergencyItems, recheck, timers: intervals.timers });
    const many = Array.from({ length: 500 }, (_, i) => connection(`r${i}`));
    many.forEach((c) => hub.connect({ hamletId: 'un-ta' }, c));
    const other = connection('x');
    hub.connect({ hamletId: 'thon-2' }, other);

    bus.publish({ type: 'schedule-changed', versions: { 'un-ta': 7, 'thon-2': 5, 'thon-9': 3 } });
    bus.publish({ type: 'emergency', bookingId: 'b1', dueBy: '2026-11-27T01:01:00.000Z' });
    await flush();
    // One lookup for the booking, naming the hamlets held here.
    expect(emergencyItems).toHaveBeenCalledTimes(1);
    expect(emergencyItems.mock.calls[0]![2]).toEqual(['un-ta', 'thon-2']);
    // The emergency went out at once, its hamlet's new version in the same write after it.
    expect(many[0]!.writes).toEqual([
      [
        { type: 'play', occurrenceId: 'o1', items: [item] },
        { type: 'schedule', version: 7 },
      ],
    ]);
    // The same list goes to every channel of the hamlet, so it is encoded once.
    expect(many[499]!.writes[0]).toBe(many[0]!.writes[0]);
    // A hamlet the emergency does not reach has its version on the next turn, on its own.
    expect(other.got).toEqual([]);
    bus.publish({ type: 'schedule-changed', versions: { 'un-ta': 8 } });
    expect(intervals.drain()).toBe(1);
    expect(other.writes).toEqual([{ type: 'schedule', version: 5 }]);
    expect(many[0]!.got).toEqual([
      { type: 'play', occurrenceId: 'o1', items: [item] },
      { type: 'schedule', version: 7 },
      { type: 'schedule', version: 8 },
    ]);
    expect(many[499]!.writes[1]).toBe(many[0]!.writes[1]);

    bus.publish({ type: 'stop', hamletIds: ['thon-2', 'thon-9'], occurrenceId: null });
    expect(other.got).toEqual([
      { type: 'schedule', version: 5 },
      { type: 'stop', occurrenceId: null },
    ]);
    expect(many[0]!.got).toHaveLength(3);
  });

  it('holds schedule pushes while an emergency is looked up, then sends each its play and version in one write', async () => {
    const bus = createEventBus();
    let answer!: (found: { hamletId: string; occurrenceId: string; items: ManifestItem[] }[]) => void;
    const intervals = fakeIntervals();
    const hub = createReceiverHub({
      bus,
      emergencyItems: () => new Promise((resolve) => (answer = resolve)),
      recheck,
      timers: intervals.timers,
    });
    const many = Array.from({ length: 2500 }, (_, i) => connection(`r${i}`));
    many.forEach((c) => hub.connect({ hamletId: 'un-ta' }, c));
    const elsewhere = Array.from({ length: 1500 }, (_, i) => connection(`e${i}`));
    elsewhere.forEach((c) => hub.connect({ hamletId: 'thon-2' }, c));
    // A country-wide emergency: the push, then the new version of every hamlet, published together.
    bus.publish({ type: 'emergency', bookingId: 'b1', dueBy: '2026-11-27T01:01:00.000Z' });
    bus.publish({ type: 'schedule-changed', versions: { 'un-ta': 4, 'thon-2': 9 } });
    intervals.drain();
    expect([...many, ...elsewhere].every((c) => c.got.length === 0)).toBe(true);
    answer([{ hamletId: 'un-ta', occurrenceId: 'o1', items: [item] }]);
    await flush();
    expect(
      many.every((c) => c.writes.length === 1 && c.got.map((m) => m.type).join() === 'play,schedule'),
    ).toBe(true);
    expect(many[2499]!.got).toEqual([
      { type: 'play', occurrenceId: 'o1', items: [item] },
      { type: 'schedule', version: 4 },
    ]);
    // The versions of hamlets it did not reach follow, a chunk per turn.
    expect(elsewhere.every((c) => c.got.length === 0)).toBe(true);
    expect(intervals.drain()).toBe(2);
    expect(elsewhere.every((c) => c.writes.length === 1 && c.got[0]!.type === 'schedule')).toBe(true);
    expect(many[0]!.writes).toHaveLength(1);
  });

  it('spreads a large schedule fan-out over turns of the event loop', () => {
    const bus = createEventBus();
    const intervals = fakeIntervals();
    const hub = createReceiverHub({
      bus,
      emergencyItems: async () => [],
      recheck,
      timers: intervals.timers,
    });
    const many = Array.from({ length: 2500 }, (_, i) => connection(`r${i}`));
    many.forEach((c) => hub.connect({ hamletId: 'un-ta' }, c));
    bus.publish({ type: 'schedule-changed', versions: { 'un-ta': 2 } });
    expect(intervals.drain()).toBe(3);
    expect(many.every((c) => c.got.length === 1)).toBe(true);
  });

  it('closes only the revoked receiver’s channels', () => {
    const bus = createEventBus();
    const hub = createReceiverHub({
      bus,
      emergencyItems: async () => [],
      recheck,
      timers: fakeIntervals().timers,
    });
    const [a1, a2, b] = [connection('a'), connection('a'), connection('b')];
    [a1, a2, b].forEach((c) => hub.connect({ hamletId: 'un-ta' }, c));
    bus.publish({ type: 'receiver-revoked', receiverId: 'a' });
    expect([a1.closed, a2.closed, b.closed]).toEqual([true, true, false]);
    expect(hub.stats().connections).toBe(1);
  });

  it('checks a channel’s token again once it is held, and closes it if it was revoked or moved meanwhile', async () => {
    const bus = createEventBus();
    // What the database says by the time the channels are held: b's token was rotated, c moved to thon-2.
    const now = new Map([
      ['hash-a', { id: 'a', hamletId: 'un-ta', scheduleVersion: 3 }],
      ['hash-c', { id: 'c', hamletId: 'thon-2', scheduleVersion: 4 }],
    ]);
    const asked: string[] = [];
    const hub = createReceiverHub({
      bus,
      emergencyItems: async () => [],
      recheck: async (hash) => (asked.push(hash), now.get(hash)),
      timers: fakeIntervals().timers,
    });
    const [a, b, c] = [connection('a'), connection('b'), connection('c')];
    [a, b, c].forEach((x) => hub.connect({ hamletId: 'un-ta' }, x));
    expect(asked).toEqual(['hash-a', 'hash-b', 'hash-c']);
    await flush();
    expect(a).toMatchObject({ closed: false, got: [] });
    expect([b.closed, c.closed]).toEqual([true, true]);
    expect(hub.stats()).toEqual({ connections: 1, hamlets: { 'un-ta': 1 } });
  });

  it('after missed events, checks every channel’s token again: closes the revoked and moved, tells the rest their version', async () => {
    const bus = createEventBus();
    const now = new Map([
      ['hash-a', { id: 'a', hamletId: 'un-ta', scheduleVersion: 3 }],
      ['hash-b', { id: 'b', hamletId: 'un-ta', scheduleVersion: 3 }],
      ['hash-c', { id: 'c', hamletId: 'un-ta', scheduleVersion: 3 }],
    ]);
    const asked: string[] = [];
    const hub = createReceiverHub({
      bus,
      emergencyItems: async () => [],
      recheck: async (hash) => (asked.push(hash), now.get(hash)),
      timers: fakeIntervals().timers,
    });
    const [a, b, c] = [connection('a'), connection('b'), connection('c')];
    [a, b, c].forEach((x) => hub.connect({ hamletId: 'un-ta' }, x));
    await flush();
    asked.length = 0;
    // What the database says after the events were lost: b's token was rotated, c moved to thon-2, a's
    // hamlet is at version 9.
    now.delete('hash-b');
    now.set('hash-c', { id: 'c', hamletId: 'thon-2', scheduleVersion: 4 });
    now.set('hash-a', { id: 'a', hamletId: 'un-ta', scheduleVersion: 9 });
    bus.publish({ type: 'events-missed' });
    await flush();
    expect(asked.sort()).toEqual(['hash-a', 'hash-b', 'hash-c']);
    expect(a).toMatchObject({ closed: false, got: [{ type: 'schedule', version: 9 }] });
    expect([b.closed, c.closed]).toEqual([true, true]);
    expect(hub.stats()).toEqual({ connections: 1, hamlets: { 'un-ta': 1 } });
  });
});
