import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommuneFile, type CommuneFile } from '../../src/services/seed/commune-file.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';

/**
 * A commune file re-applied (`loa seed`, every start) over what people booked and set up in the app:
 * a change of the file that would break an airing booked, a series or a hamlet's languages stops the
 * seed with the field it is about, and writes nothing of the file.
 */
describe.each(dialects)('a commune file re-applied over what is booked, on %s', (dialect) => {
  let h: Harness;
  let file: CommuneFile;
  beforeAll(async () => {
    h = await createHarness(dialect);
    file = parseCommuneFile('schedules/coc-san.json', readFileSync('schedules/coc-san.json', 'utf8'));
  });
  afterAll(() => h.close());

  const commune = async () =>
    (await (await h.request('/api/v1/commune', { token: h.tokens.admin })).json()) as {
      timeZone: string;
      settings: { quietHours: unknown; slots: { name: string }[]; languages: { code: string }[] };
    };
  const apply = (change: (f: CommuneFile) => CommuneFile) =>
    h.runtime.services.seed.applyCommuneFile(change(file)).then(
      () => 'applied',
      (error: Error) => `${error.name}: ${error.message}`,
    );
  const relay = { url: 'https://radio.example.vn/vov1', durationS: 300 };

  it('refuses quiet hours or a time zone that would put an airing booked in quiet hours', async () => {
    const booked = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.head,
      json: { relay, hamletIds: ['un-ta'], at: '2026-11-28T21:00:00+07:00' },
    });
    expect(booked.status, await booked.clone().text()).toBe(201);

    const earlier = await apply((f) => ({
      ...f,
      commune: { ...f.commune, quietHours: { start: '20:30', end: '05:30' } },
    }));
    expect(earlier).toMatch(
      /^CommuneFileError: commune\.quietHours: 1 airing\(s\) booked .*2026-11-28 21:00/,
    );
    // 21:00 in Hà Nội is 23:00 in Tokyo: in the quiet hours there.
    const zone = await apply((f) => ({ ...f, commune: { ...f.commune, timeZone: 'Asia/Tokyo' } }));
    expect(zone).toMatch(/^CommuneFileError: commune\.timeZone: 1 airing\(s\) booked /);
    const now = await commune();
    expect({ timeZone: now.timeZone, quietHours: now.settings.quietHours }).toEqual({
      timeZone: 'Asia/Ho_Chi_Minh',
      quietHours: { start: '21:30', end: '05:30' },
    });
  });

  it('refuses a slot removed while a series airs in it', async () => {
    const series = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.head,
      json: {
        relay,
        hamletIds: ['un-ta'],
        recurrence: { slot: 'evening', weekdays: [1, 3, 5], from: '2026-11-27T00:00:00+07:00' },
      },
    });
    expect(series.status, await series.clone().text()).toBe(201);
    const morningOnly = await apply((f) => ({
      ...f,
      commune: { ...f.commune, slots: f.commune.slots.filter((s) => s.name === 'morning') },
    }));
    expect(morningOnly).toMatch(/^CommuneFileError: commune\.slots: The slot "Buổi chiều" is still used/);
    expect((await commune()).settings.slots.map((s) => s.name)).toEqual(['morning', 'evening']);
  });

  it('keeps a hamlet deleted in the app deleted, and puts no new box of the file in it', async () => {
    expect(
      (await h.request('/api/v1/hamlets/thon-8', { method: 'DELETE', token: h.tokens.admin })).status,
    ).toBe(204);
    expect(await apply((f) => f)).toBe('applied');
    const newBox = await apply((f) => ({
      ...f,
      receivers: [
        ...f.receivers,
        { id: 'rx-thon-8-1', hamletId: 'thon-8', name: 'Cụm loa thôn 8', example: false },
      ],
    }));
    expect(newBox).toMatch(
      /^CommuneFileError: receivers\[3\]\.hamletId: hamlet "thon-8" was deleted in the app/,
    );
    const rows = await h.runtime.db.kysely
      .selectFrom('receivers')
      .select('id')
      .where('id', '=', 'rx-thon-8-1')
      .execute();
    expect(rows).toEqual([]);
    expect((await h.request('/api/v1/hamlets/thon-8', { token: h.tokens.admin })).status).toBe(404);
  });

  it('refuses a language removed while a hamlet broadcasts in it', async () => {
    const noGiay = await apply((f) => ({
      ...f,
      languages: f.languages.filter((l) => l.code !== 'giay'),
      hamlets: f.hamlets.map((hm) => ({ ...hm, languages: hm.languages.filter((l) => l !== 'giay') })),
    }));
    expect(noGiay).toMatch(
      /^CommuneFileError: languages: "giay" is still a language of hamlet\(s\) .*"un-ta"/,
    );
    expect((await commune()).settings.languages.map((l) => l.code)).toContain('giay');
    const noDao = await apply((f) => ({ ...f, languages: f.languages.filter((l) => l.code !== 'dao') }));
    expect(noDao).toMatch(/^CommuneFileError: languages: "dao" is still a language of hamlet\(s\) "thon-7"/);
    // A language no hamlet uses may go.
    const unused = await apply((f) => ({
      ...f,
      languages: [...f.languages, { code: 'lu', name: 'Tiếng Lự' }],
    }));
    expect(unused).toBe('applied');
    expect(await apply((f) => f)).toBe('applied');
    expect((await commune()).settings.languages.map((l) => l.code)).not.toContain('lu');
  });
});
