import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  communeFileJsonSchema,
  CommuneFileError,
  parseCommuneFile,
} from '../../src/services/seed/commune-file.js';

const example = readFileSync(new URL('../../schedules/coc-san.json', import.meta.url), 'utf8');
const base = () => JSON.parse(example) as Record<string, any>;
const parse = (value: unknown) => parseCommuneFile('schedules/test.json', JSON.stringify(value));

describe('commune file', () => {
  it('accepts the example commune with its 9 hamlets and standing slots', () => {
    const file = parseCommuneFile('schedules/coc-san.json', example);
    expect(file.commune).toMatchObject({ code: '02746', provinceCode: '15', timeZone: 'Asia/Ho_Chi_Minh' });
    expect(file.hamlets).toHaveLength(9);
    expect(file.hamlets.find((h) => h.id === 'un-ta')).toMatchObject({
      name: 'Thôn Ún Tà',
      languages: ['vi', 'giay'],
    });
    expect(file.hamlets.filter((h) => h.example)).toHaveLength(8);
    expect(file.commune.slots.map((s) => [s.name, s.start, s.end])).toEqual([
      ['morning', '05:30', '06:15'],
      ['evening', '17:00', '17:45'],
    ]);
  });

  it('names file, path and problem for a bad time zone', () => {
    const file = base();
    file.commune.timeZone = 'Asia/Hanoi_City';
    expect(() => parse(file)).toThrow(CommuneFileError);
    expect(() => parse(file)).toThrow(/^schedules\/test\.json: commune\.timeZone: must be an IANA time zone/);
  });

  it('refuses a duplicate hamlet id, pointing at the second one', () => {
    const file = base();
    file.hamlets[4].id = 'un-ta';
    expect(() => parse(file)).toThrow(
      /schedules\/test\.json: hamlets\[4\]\.id: duplicate hamlet id "un-ta" \(already used by hamlets\[0\]\)/,
    );
  });

  it('refuses a standing slot that runs into quiet hours, where its items would air unchecked', () => {
    const file = base();
    file.commune.slots[0].start = '05:00';
    expect(() => parse(file)).toThrow(
      /commune\.slots\[0\]\.start: slot "morning" \(05:00–06:15\) runs into the quiet hours 21:30–05:30/,
    );
    file.commune.slots[0].start = '05:30';
    expect(parse(file).commune.slots[0]!.start).toBe('05:30');
  });

  it('refuses a language code the commune does not declare', () => {
    const file = base();
    file.hamlets[2].languages = ['vi', 'tay'];
    expect(() => parse(file)).toThrow(/hamlets\[2\]\.languages\[1\]: unknown language code "tay"/);
  });

  it('refuses unknown fields, bad times, receivers of unknown hamlets and broken JSON', () => {
    const extra = base();
    extra.commune.mayor = 'x';
    expect(() => parse(extra)).toThrow(/commune: Unrecognized key/i);
    const time = base();
    time.commune.slots[0].start = '5:30';
    expect(() => parse(time)).toThrow(/commune\.slots\[0\]\.start: must be a local time HH:MM/);
    const receiver = base();
    receiver.receivers[0].hamletId = 'nowhere';
    expect(() => parse(receiver)).toThrow(/receivers\[0\]\.hamletId: unknown hamlet "nowhere"/);
    expect(() => parseCommuneFile('schedules/x.json', '{"commune":')).toThrow(
      /^schedules\/x\.json: not valid JSON/,
    );
  });

  it('keeps the exported JSON Schema in step with the zod schema', () => {
    const written = JSON.parse(
      readFileSync(new URL('../../schedules/commune.schema.json', import.meta.url), 'utf8'),
    );
    expect(written).toEqual(communeFileJsonSchema());
  });
});
