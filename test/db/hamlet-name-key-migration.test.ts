import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateTo, migrateToLatest } from '../../src/db/migrator.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';

/** Hamlets made before 0030 whose names read alike in one commune, oldest first. */
const before = [
  // The oldest, but deleted: it holds nothing.
  { id: 'na-po-cu', name: 'Thôn Nà Pồ', communeId: 'coc-san', deleted: true },
  { id: 'na-po', name: 'Thôn Nà Pồ', communeId: 'coc-san', deleted: false },
  { id: 'na-po-2', name: 'thôn nà pồ', communeId: 'coc-san', deleted: false },
  // Typed on a keyboard that composes diacritics apart, with spaces written past the app.
  { id: 'na-po-3', name: ' THÔN NÀ PỒ '.normalize('NFD'), communeId: 'coc-san', deleted: false },
  // Newer than the seeded "Thôn Ún Tà".
  { id: 'un-ta-2', name: 'thôn ún tà', communeId: 'coc-san', deleted: false },
  // Another commune's hamlet may share a name.
  { id: 'qk-na-po', name: 'Thôn Nà Pồ', communeId: 'quang-kim', deleted: false },
] as const;

/**
 * An upgrade over a commune with two hamlets of one name: it does not fail, both stay readable and
 * editable, and from then on no hamlet takes a name of the commune again.
 */
describe.each(dialects)('upgrading to hamlet names unique in their commune, on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
    const db = h.runtime.db.kysely;
    await migrateTo(db, '0029-username-key');
    const start = h.clock.now().getTime();
    for (const [i, x] of before.entries()) {
      const at = new Date(start + (i + 1) * 60_000).toISOString();
      await db
        .insertInto('hamlets')
        .values({
          id: x.id,
          commune_id: x.communeId,
          name: x.name,
          languages: '["vi"]',
          lat: null,
          lon: null,
          created_at: at,
          updated_at: at,
          deleted_at: x.deleted ? at : null,
        })
        .execute();
    }
    expect(await migrateToLatest(db)).toContain('0030-hamlet-name-key');
  });
  afterAll(() => h.close());

  const api = (path: string, init: { method?: string; json?: unknown } = {}) =>
    h.request(path, { ...init, token: h.tokens.admin });
  const keyOf = async (id: string) =>
    (
      await h.runtime.db.kysely
        .selectFrom('hamlets')
        .select('name_key')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).name_key;

  it('gives the key to the older live hamlet and one of its own to each twin', async () => {
    const rows = await h.runtime.db.kysely
      .selectFrom('hamlets')
      .select(['id', 'name_key'])
      .where('id', 'in', ['un-ta', 'thon-2', ...before.map((x) => x.id)])
      .orderBy('id')
      .execute();
    expect(Object.fromEntries(rows.map((r) => [r.id, r.name_key]))).toEqual({
      'na-po': 'thôn nà pồ',
      'na-po-2': 'thôn nà pồ\u001fna-po-2',
      'na-po-3': 'thôn nà pồ\u001fna-po-3',
      'na-po-cu': 'thôn nà pồ',
      'qk-na-po': 'thôn nà pồ',
      'thon-2': 'thôn số 2 (dữ liệu mẫu)',
      'un-ta': 'thôn ún tà',
      'un-ta-2': 'thôn ún tà\u001fun-ta-2',
    });
  });

  it('keeps every twin readable and editable, its name included', async () => {
    for (const id of ['na-po', 'na-po-2', 'na-po-3', 'un-ta-2']) {
      expect((await api(`/api/v1/hamlets/${id}`)).status, id).toBe(200);
    }
    // The edit page sends the name back unchanged with every change.
    const edited = await api('/api/v1/hamlets/na-po-2', {
      method: 'PATCH',
      json: { name: 'Thôn Nà Pồ', languages: ['vi', 'giay'] },
    });
    expect(edited.status).toBe(200);
    expect(await edited.json()).toMatchObject({ name: 'Thôn Nà Pồ', languages: ['vi', 'giay'] });
    expect(await keyOf('na-po-2')).toBe('thôn nà pồ\u001fna-po-2');
  });

  it('refuses a new hamlet of the name, even once the key holder is gone', async () => {
    for (const name of ['Thôn Nà Pồ', 'thôn ún tà']) {
      const res = await api('/api/v1/hamlets', { method: 'POST', json: { name, languages: ['vi'] } });
      expect(res.status, name).toBe(409);
    }
    expect((await api('/api/v1/hamlets/na-po', { method: 'DELETE' })).status).toBe(204);
    const again = await api('/api/v1/hamlets', {
      method: 'POST',
      json: { name: 'Thôn Nà Pồ', languages: ['vi'] },
    });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { detailVi: string }).detailVi).toMatch(
      /^Xã đã có thôn "Thôn Nà Pồ" \(mã na-po-[23]\)/,
    );
  });

  it('lets a twin take a name of its own, which frees the old one of it', async () => {
    expect(
      (await api('/api/v1/hamlets/na-po-2', { method: 'PATCH', json: { name: 'Thôn Nà Pồ Trên' } })).status,
    ).toBe(200);
    expect(await keyOf('na-po-2')).toBe('thôn nà pồ trên');
    expect(
      (await api('/api/v1/hamlets/na-po-3', { method: 'PATCH', json: { name: 'Thôn Nà Pồ Dưới' } })).status,
    ).toBe(200);
    const res = await api('/api/v1/hamlets', {
      method: 'POST',
      json: { name: 'Thôn Nà Pồ', languages: ['vi'] },
    });
    expect(res.status).toBe(201);
  });
});
