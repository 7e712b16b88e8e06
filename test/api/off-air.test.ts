import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoaEvent } from '../../src/domain/ports/events.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';

/**
 * Content taken off the air after its time came: a box starts an item up to 10 minutes late (it just
 * booted, or an emergency held the item back), so `stop` reaches the boxes until then, not only while the
 * item's own few seconds last.
 */
describe.each(dialects)('taking content off the air after its time on %s', (dialect) => {
  let h: Harness;
  let events: LoaEvent[] = [];
  beforeAll(async () => {
    h = await createHarness(dialect);
    h.runtime.bus.subscribe((e) => events.push(e));
  });
  afterAll(() => h.close());

  async function airedAt(title: string, at: string) {
    const ann = await createReadyAnnouncement(h, title, [{ language: 'vi', seconds: 2 }]);
    const made = await scheduleBroadcast(h, { announcementId: ann.id, hamletIds: ['un-ta'], at });
    return { id: ann.id, occurrence: made.occurrences[0]! };
  }
  const withdraw = async (id: string) => {
    events = [];
    const res = await h.request(`/api/v1/announcements/${id}/withdraw`, {
      method: 'POST',
      token: h.tokens.officer,
    });
    expect(res.status, await res.clone().text()).toBe(200);
    return events.filter((e) => e.type === 'stop');
  };

  it('tells the boxes to stop an item a late box may still start, and not one no box can', async () => {
    const late = await airedAt('Thông báo nhầm giờ họp', '2026-11-27T09:00:00+07:00');
    const gone = await airedAt('Thông báo cũ', '2026-11-27T08:00:00+07:00');
    // A minute after the first's time, its 2 s are over; a box held back by an emergency has yet to air it.
    h.clock.set('2026-11-27T02:01:00.000Z');
    expect(await withdraw(late.id)).toEqual([
      { type: 'stop', hamletIds: ['un-ta'], occurrenceId: late.occurrence.id },
    ]);
    // An hour after its time, no box starts the other any more.
    expect(await withdraw(gone.id)).toEqual([]);
  });
});
