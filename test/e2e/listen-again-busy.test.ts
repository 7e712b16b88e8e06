import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createDevice, createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';

/**
 * Listen again in a busy week: a bulletin repeated every quarter hour in all nine hamlets (thousands of
 * airings, each in one or two languages) does not push out of the page what aired once before it.
 */
describe.each(dialects)('listen again after a busy week, on %s', (dialect) => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  it('still lists what aired once a week ago, and the bulletin once, at its last airing, in both its languages', async () => {
    const box = await createDevice(h, 'un-ta');
    const meeting = await createReadyAnnouncement(h, 'Họp dân cuối tuần', [{ language: 'vi', seconds: 1 }]);
    const bulletin = await createReadyAnnouncement(h, 'Bản tin phòng chống lũ', [
      { language: 'vi', seconds: 1 },
      { language: 'giay', seconds: 1 },
    ]);
    await scheduleBroadcast(h, {
      announcementId: meeting.id,
      hamletIds: ['un-ta'],
      at: '2026-11-27T09:00:00+07:00',
    });
    await scheduleBroadcast(h, {
      announcementId: bulletin.id,
      hamletIds: 'all',
      recurrence: {
        cron: '*/15 6-20 * * *',
        from: '2026-11-27T10:00:00+07:00',
        until: '2026-12-04T00:00:00+07:00',
      },
    });

    // A week on, every airing has played and the box of Ún Tà reported each one started.
    h.clock.set('2026-12-04T02:00:00.000Z');
    const db = h.runtime.db.kysely;
    const aired = await db
      .selectFrom('occurrences')
      .select('id')
      .where('starts_at', '<', h.clock.now().toISOString())
      .where('status', '!=', 'cancelled')
      .execute();
    expect(aired.length).toBeGreaterThan(3000);
    await db
      .updateTable('occurrences')
      .set({ status: 'played' })
      .where('status', '!=', 'cancelled')
      .execute();
    const now = h.clock.now().toISOString();
    for (let i = 0; i < aired.length; i += 500) {
      await db
        .insertInto('playback_events')
        .values(
          aired.slice(i, i + 500).map((o) => ({
            id: `pe-${o.id}`,
            receiver_id: box.id,
            event_id: `started-${o.id}`,
            occurrence_id: o.id,
            type: 'started' as const,
            at: now,
            detail: null,
            received_at: now,
          })),
        )
        .execute();
    }

    const html = await (
      await h.runtime.app.request('/nghe-lai/02746', { headers: { accept: 'text/html' } })
    ).text();
    const entries = [...html.matchAll(/data-announcement="([^"]+)"/g)].map((m) => m[1]);
    expect(entries).toEqual([bulletin.id, meeting.id]);
    // The bulletin's last airing (20:45 the evening before), in both its languages.
    expect(html).toMatch(/Phát lúc 20:45 ngày 03\/12\/2026/);
    expect(html.match(new RegExp(`data-announcement="${bulletin.id}"[\\s\\S]*?</li>`))?.[0]).toMatch(
      /data-language="vi"[\s\S]*data-language="giay"/,
    );
    const feed = await (await h.runtime.app.request('/nghe-lai/02746/rss.xml')).text();
    expect(feed).toContain('Họp dân cuối tuần');
  });
});
