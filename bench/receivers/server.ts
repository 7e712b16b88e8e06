// Loa as `loa serve` runs it (embedded SQLite, system clock), with a commune's worth of schedule and
// many receivers, for bench/receivers.bench.ts. Prints one READY line with what the bench needs.
import { serve } from '@hono/node-server';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { localToUtc, utcToLocal, addDays } from '../../src/domain/schedule/index.js';
import { createNodeRuntime } from '../../src/node.js';
import { hashToken, webIds } from '../../src/domain/ports/ids.js';
import type { Insertable } from 'kysely';
import type { ReceiverTable } from '../../src/db/schema.js';

const [dir = '.', count = '1000'] = process.argv.slice(2);
const password = 'bench-admin-password';
const runtime = await createNodeRuntime(
  loadConfig({
    DATA_DIR: join(dir, 'data'),
    MEDIA_DIR: join(dir, 'media'),
    LOA_ADMIN_PASSWORD: password,
    LOG_LEVEL: 'warn',
  }),
  { logger: pino({ level: 'warn' }) },
);
const { repos } = runtime;
const ctx = await runtime.services.users.operator();
const admin = (await repos.users.findUser(ctx.actor.id))!;
const now = new Date().toISOString();
const hamlets = (await repos.hamlets.listCommuneHamlets(admin.communeId)).map((h) => h.id);

// An approved announcement in Vietnamese and Giáy; the audio rows stand for processed files.
const sha = (n: number) => n.toString(16).padStart(64, '0');
for (const n of [1, 2]) {
  await repos.announcements.saveAsset(
    {
      sha256: sha(n),
      format: 'mp3',
      bytes: 480_000,
      durationMs: 60_000,
      integratedLufs: -16,
      truePeakDbtp: -1.5,
      lraLu: 4,
      sourceCodec: 'mp3',
      sourceDurationMs: 60_000,
      sourceLufs: null,
      peaks: [0.5],
    },
    now,
  );
}
const variant = (id: string, language: string) => ({
  id,
  language,
  approval: 'approved' as const,
  sourceKind: 'upload' as const,
  sourceKey: null,
  sourceName: null,
  text: null,
  voice: null,
  inspection: null,
});
await repos.announcements.insertAnnouncement(
  {
    id: 'bench-ann',
    communeId: admin.communeId,
    hamletId: null,
    title: 'Thông báo của UBND xã',
    category: 'general',
    createdBy: admin.id,
    approval: 'approved',
  },
  now,
);
await repos.announcements.insertVariant('bench-ann', variant('bench-vi', 'vi'), now);
await repos.announcements.insertVariant('bench-ann', variant('bench-giay', 'giay'), now);
await repos.announcements.setVariantAudio('bench-vi', sha(1), null, now);
await repos.announcements.setVariantAudio('bench-giay', sha(2), null, now);
await repos.announcements.setAnnouncementStatus('bench-ann', 'ready', null, now);
await repos.announcements.setApproval('bench-ann', 'approved', null, admin.id, now);

// Five daytime items a day for the next two days in every hamlet: a typical manifest.
const zone = 'Asia/Ho_Chi_Minh';
const today = utcToLocal(Date.now(), zone).date;
for (const day of [1, 2]) {
  for (const time of ['07:00', '09:00', '11:00', '14:00', '16:00']) {
    const at = new Date(localToUtc(addDays(today, day), time, zone)).toISOString();
    await runtime.services.broadcasts.schedule(ctx, {
      announcementId: 'bench-ann',
      hamletIds: 'all',
      at,
      priority: 'normal',
    });
  }
}

// Receivers spread over the hamlets, inserted in bulk (the API would take minutes for 10,000).
const receivers: { token: string; hamletId: string }[] = [];
const rows: Insertable<ReceiverTable>[] = [];
for (let i = 0; i < Number(count); i++) {
  const token = webIds.token();
  const hamletId = hamlets[i % hamlets.length]!;
  receivers.push({ token, hamletId });
  rows.push({
    id: `bench-rx-${i}`,
    hamlet_id: hamletId,
    name: `Cụm loa ${i}`,
    token_hash: await hashToken(token),
    created_at: now,
    updated_at: now,
  });
}
await runtime.db.kysely.transaction().execute(async (trx) => {
  for (let i = 0; i < rows.length; i += 500)
    await trx
      .insertInto('receivers')
      .values(rows.slice(i, i + 500))
      .execute();
});
const { token: adminToken } = await runtime.services.auth.login(
  { username: 'admin', password },
  { clientIp: 'bench', requestId: 'bench' },
);

serve({ fetch: runtime.app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  // Ten thousand tokens are too much for one line of a pipe: the details go through a file.
  const file = join(dir, 'ready.json');
  writeFileSync(
    file,
    JSON.stringify({ port: info.port, adminToken, receivers, announcementId: 'bench-ann' }),
  );
  process.stdout.write(`READY ${JSON.stringify({ file })}\n`);
});
