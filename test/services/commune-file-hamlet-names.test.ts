import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommuneFile, type CommuneFile } from '../../src/services/seed/commune-file.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';

const example = readFileSync(new URL('../../schedules/coc-san.json', import.meta.url), 'utf8');
const parse = (value: unknown) => parseCommuneFile('schedules/test.json', JSON.stringify(value));

describe('a commune file with two hamlets of one name', () => {
  it('is refused, pointing at the second and naming the first, whatever the case or spacing', () => {
    const file = JSON.parse(example) as { hamlets: { name: string }[] };
    file.hamlets[3]!.name = '  THÔN ÚN TÀ '.normalize('NFD');
    expect(() => parse(file)).toThrow(
      'schedules/test.json: hamlets[3].name: duplicate hamlet name "THÔN ÚN TÀ" (hamlets[0] is "Thôn Ún Tà"); hamlets of a commune need names that differ in more than letter case',
    );
  });
});

/**
 * A file that adds a hamlet named like one made in the app (under another id) stops the seed with the
 * field it is about, and writes nothing of the file, rather than making a second hamlet of the name.
 */
describe.each(dialects)('a commune file adding a hamlet named like one in the app, on %s', (dialect) => {
  let h: Harness;
  let file: CommuneFile;
  beforeAll(async () => {
    h = await createHarness(dialect);
    file = parseCommuneFile('schedules/coc-san.json', example);
  });
  afterAll(() => h.close());

  it('is refused, naming the hamlet that has the name', async () => {
    const made = await h.request('/api/v1/hamlets', {
      method: 'POST',
      token: h.tokens.admin,
      json: { id: 'na-po', name: 'Thôn Nà Pồ', languages: ['vi'] },
    });
    expect(made.status).toBe(201);
    const added = {
      ...file,
      hamlets: [
        ...file.hamlets,
        { id: 'ban-moi', name: 'Bản Mới', languages: ['vi'], example: false },
        { id: 'thon-na-po', name: 'thôn nà pồ', languages: ['vi'], example: false },
      ],
    };
    await expect(h.runtime.services.seed.applyCommuneFile(added)).rejects.toThrow(
      'hamlets[10].name: "thôn nà pồ" is the name of hamlet "na-po" ("Thôn Nà Pồ") of the commune; rename one of them',
    );
    for (const id of ['ban-moi', 'thon-na-po']) {
      expect((await h.request(`/api/v1/hamlets/${id}`, { token: h.tokens.admin })).status, id).toBe(404);
    }
  });
});
