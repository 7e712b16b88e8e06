import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoaEvent } from '../../src/domain/ports/events.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import type { Manifest } from '../../src/domain/receiver/protocol.js';
import { createDevice, createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';

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

  it('takes it out of the schedule of a box that fetches it only after the stop', async () => {
    const box = await createDevice(h, 'un-ta');
    const schedule = async () =>
      (await (await h.request('/api/v1/receiver/schedule', { token: box.token })).json()) as Manifest;
    h.clock.set('2026-11-28T01:00:00.000Z');
    const refused = await airedAt('Thông báo sai địa điểm', '2026-11-28T09:00:00+07:00');
    h.clock.set('2026-11-28T02:00:30.000Z');
    const before = await schedule();
    expect(before.items.map((i) => i.occurrenceId)).toContain(refused.occurrence.id);

    events = [];
    const res = await h.request(`/api/v1/announcements/${refused.id}/reject`, {
      method: 'POST',
      token: h.tokens.officer,
      json: { reason: 'Sai địa điểm họp.' },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    // The box that was offline during the stop comes back within the 10 minutes: its schedule changed, and
    // no longer carries the item.
    expect(events.find((e) => e.type === 'schedule-changed')).toBeDefined();
    const after = await schedule();
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.items.map((i) => i.occurrenceId)).not.toContain(refused.occurrence.id);
  });
});
