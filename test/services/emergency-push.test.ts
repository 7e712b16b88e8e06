import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoaEvent } from '../../src/domain/ports/events.js';
import type { PushMessage } from '../../src/domain/receiver/protocol.js';
import {
  createReceiverHub,
  type EmergencyPushed,
  type HubConnection,
} from '../../src/services/receiver-hub.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';

/** A channel as the hub sees it: what it was sent. */
function channel(receiverId: string) {
  const got: (PushMessage | { type: 'ping' })[] = [];
  const c: HubConnection & { got: typeof got } = {
    receiverId,
    tokenHash: `hash-${receiverId}`,
    got,
    deliver: (m) => void got.push(...(Array.isArray(m) ? (m as readonly PushMessage[]) : [m as PushMessage])),
    close: () => undefined,
  };
  return c;
}

const settled = async (until: () => boolean) => {
  for (let i = 0; i < 200 && !until(); i++) await new Promise((r) => setImmediate(r));
};

describe('an emergency travels as one event per booking', () => {
  let h: Harness;
  const events: LoaEvent[] = [];

  beforeAll(async () => {
    h = await createHarness();
    h.runtime.bus.subscribe((e) => events.push(e));
  });
  afterAll(async () => h?.close());

  it("publishes one emergency event for nine hamlets, and a stop of each hamlet's airing when it is cancelled", async () => {
    const alarm = await createReadyAnnouncement(h, 'Lũ quét', [{ language: 'vi', seconds: 1 }]);
    const hamletIds = [
      'un-ta',
      'thon-2',
      'thon-3',
      'thon-4',
      'thon-5',
      'thon-6',
      'thon-7',
      'thon-8',
      'thon-9',
    ];
    events.length = 0;
    const booked = await scheduleBroadcast(h, { announcementId: alarm.id, hamletIds, priority: 'emergency' });
    const pushes = events.filter((e) => e.type === 'emergency');
    expect(pushes).toEqual([
      {
        type: 'emergency',
        bookingId: booked.id,
        dueBy: new Date(h.clock.now().getTime() + 60_000).toISOString(),
      },
    ]);
    // The booking names what each hamlet plays first: one occurrence each, its own.
    const [push] = pushes as Extract<LoaEvent, { type: 'emergency' }>[];
    const items = await h.runtime.services.receiverSync.emergencyItems(
      push!.bookingId,
      push!.dueBy,
      hamletIds,
    );
    const firsts = new Map<string, string>();
    for (const o of [...booked.occurrences].sort((a, b) => a.at.localeCompare(b.at)))
      if (!firsts.has(o.hamletId)) firsts.set(o.hamletId, o.id);
    expect(new Map(items.map((i) => [i.hamletId, i.occurrenceId]))).toEqual(firsts);

    // Cancelled while its first airing plays: each hamlet's box is told to stop that airing, and only it.
    events.length = 0;
    h.clock.advance(500);
    const res = await h.request(`/api/v1/broadcasts/${booked.id}`, {
      method: 'DELETE',
      token: h.tokens.officer,
    });
    expect(res.status).toBe(200);
    const stops = events.filter((e) => e.type === 'stop') as Extract<LoaEvent, { type: 'stop' }>[];
    expect([...stops].sort((a, b) => a.hamletIds[0]!.localeCompare(b.hamletIds[0]!))).toEqual(
      [...hamletIds].sort().map((hamletId) => ({
        type: 'stop',
        hamletIds: [hamletId],
        occurrenceId: firsts.get(hamletId),
      })),
    );
    h.clock.advance(-500);
  });

  it('an instance holding channels for some hamlets pushes to exactly those, after one lookup', async () => {
    const alarm = await createReadyAnnouncement(h, 'Cháy rừng', [{ language: 'vi', seconds: 1 }]);
    let lookups = 0;
    const observed: EmergencyPushed[] = [];
    const held: Record<string, string> = { a: 'un-ta', b: 'thon-2', c: 'thon-9' };
    const hub = createReceiverHub({
      observeEmergency: (report) => void observed.push(report),
      bus: h.runtime.bus,
      emergencyItems: async (...args) => {
        lookups++;
        return h.runtime.services.receiverSync.emergencyItems(...args);
      },
      // Each channel's token still holds when the hub reads it again.
      recheck: async (hash) => {
        const id = hash.replace(/^hash-/, '');
        return { id, hamletId: held[id]!, scheduleVersion: 1 };
      },
    });
    const [a, b, c] = [channel('a'), channel('b'), channel('c')];
    hub.connect({ hamletId: 'un-ta' }, a);
    hub.connect({ hamletId: 'thon-2' }, b);
    // A hamlet the emergency does not reach.
    hub.connect({ hamletId: 'thon-9' }, c);
    const booked = await scheduleBroadcast(h, {
      announcementId: alarm.id,
      hamletIds: ['un-ta', 'thon-2', 'thon-3', 'thon-4'],
      priority: 'emergency',
    });
    const plays = (x: typeof a) => x.got.filter((m) => m.type === 'play');
    await settled(() => plays(a).length > 0 && plays(b).length > 0);
    const first = (hamletId: string) =>
      booked.occurrences.filter((o) => o.hamletId === hamletId).sort((x, y) => x.at.localeCompare(y.at))[0]!
        .id;
    expect(plays(a)).toEqual([expect.objectContaining({ type: 'play', occurrenceId: first('un-ta') })]);
    expect(plays(b)).toEqual([expect.objectContaining({ type: 'play', occurrenceId: first('thon-2') })]);
    expect(plays(c)).toEqual([]);
    expect(lookups).toBe(1);
    // Timed for the operators: two channels written, after the one lookup.
    expect(observed).toEqual([{ lookupMs: expect.any(Number), pushedMs: expect.any(Number), channels: 2 }]);
    expect(observed[0]!.pushedMs).toBeGreaterThanOrEqual(observed[0]!.lookupMs);
    const [item] = (plays(a)[0] as Extract<PushMessage, { type: 'play' }>).items;
    expect(item).toMatchObject({ occurrenceId: first('un-ta'), priority: 'emergency' });
    hub.closeAll();
  });
});
