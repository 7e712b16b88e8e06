// The country of `npm run bench:national`, written straight into the database (the API would take hours
// for it): communes beside the seeded province's, hamlets, and receivers with tokens of their own.
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { hashToken, webIds } from '../../src/domain/ports/ids.js';
import { createNodeRuntime } from '../../src/node.js';
import type { Insertable } from 'kysely';
import type { ReceiverTable } from '../../src/db/schema.js';

export interface CountrySize {
  readonly communes: number;
  readonly hamlets: number;
  readonly receivers: number;
  /** Hamlets of Cốc San, the "province" the run also sends an emergency to. */
  readonly provinceHamlets: number;
  /** The first receivers, spread over Cốc San's hamlets. */
  readonly provinceReceivers: number;
}

/**
 * Seeds the country into the database `env` names (`DATABASE_URL` and the rest of a `loa` environment),
 * through a runtime of its own under `dir`. Returns every receiver's token, in order, and Cốc San's
 * hamlets.
 */
export async function seedCountry(
  env: Record<string, string>,
  dir: string,
  size: CountrySize,
): Promise<{ tokens: string[]; cocSanHamlets: string[] }> {
  const seeder = await createNodeRuntime(
    loadConfig({
      ...env,
      DATA_DIR: join(dir, 'seed'),
      MEDIA_DIR: join(dir, 'seed-media'),
      LOG_LEVEL: 'warn',
    }),
    { logger: pino({ level: 'warn' }) },
  );
  const db = seeder.db.kysely;
  const stamp = new Date().toISOString();
  const cocSan = await db
    .selectFrom('communes')
    .selectAll()
    .where('id', '=', 'coc-san')
    .executeTakeFirstOrThrow();
  const existingCommunes = Number(
    (
      await db
        .selectFrom('communes')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  const existingHamlets = await db.selectFrom('hamlets').select(['id', 'commune_id']).execute();
  const newCommunes = Array.from({ length: size.communes - existingCommunes }, (_, i) => ({
    id: `bench-c-${i}`,
    name: `Xã ${i}`,
    code: String(90_000 + i),
    province_code: cocSan.province_code,
    province_id: cocSan.province_id,
    time_zone: cocSan.time_zone,
    settings: cocSan.settings,
    created_at: stamp,
    updated_at: stamp,
  }));
  const hamletRow = (id: string, communeId: string, n: number) => ({
    id,
    commune_id: communeId,
    name: `Thôn ${n}`,
    languages: '["vi"]',
    lat: null,
    lon: null,
    created_at: stamp,
    updated_at: stamp,
    deleted_at: null,
  });
  const hamletRows: ReturnType<typeof hamletRow>[] = [];
  const cocSanHamlets = existingHamlets.filter((h) => h.commune_id === 'coc-san').map((h) => h.id);
  for (let i = cocSanHamlets.length; i < size.provinceHamlets; i++) {
    const id = `bench-h-cs-${i}`;
    cocSanHamlets.push(id);
    hamletRows.push(hamletRow(id, 'coc-san', i));
  }
  const otherHamlets: string[] = existingHamlets.filter((h) => h.commune_id !== 'coc-san').map((h) => h.id);
  for (let i = 0; otherHamlets.length + cocSanHamlets.length < size.hamlets; i++) {
    const id = `bench-h-${i}`;
    otherHamlets.push(id);
    hamletRows.push(hamletRow(id, newCommunes[i % newCommunes.length]!.id, i));
  }
  const tokens: string[] = [];
  const receiverRows: Insertable<ReceiverTable>[] = [];
  for (let i = 0; i < size.receivers; i++) {
    const token = webIds.token();
    tokens.push(token);
    const hamlet =
      i < size.provinceReceivers
        ? cocSanHamlets[i % cocSanHamlets.length]!
        : otherHamlets[i % otherHamlets.length]!;
    receiverRows.push({
      id: `bench-rx-${i}`,
      hamlet_id: hamlet,
      name: `Cụm loa ${i}`,
      token_hash: await hashToken(token),
      created_at: stamp,
      updated_at: stamp,
    });
  }
  // The example receivers of the commune files have no token anyone knows: disabled, out of the count.
  await db.updateTable('receivers').set({ disabled_at: stamp }).execute();
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < newCommunes.length; i += 1000)
      await trx
        .insertInto('communes')
        .values(newCommunes.slice(i, i + 1000))
        .execute();
    for (let i = 0; i < hamletRows.length; i += 2000)
      await trx
        .insertInto('hamlets')
        .values(hamletRows.slice(i, i + 2000))
        .execute();
    for (let i = 0; i < receiverRows.length; i += 2000)
      await trx
        .insertInto('receivers')
        .values(receiverRows.slice(i, i + 2000))
        .execute();
  });
  await seeder.close();
  return { tokens, cocSanHamlets };
}
