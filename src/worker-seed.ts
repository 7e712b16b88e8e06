import type { D1Db } from './db/d1/connect.js';
import type { Logger } from './domain/ports/logger.js';
import type { Services } from './services/index.js';
import {
  isProvinceFile,
  namingFile,
  parseCommuneFile,
  parseProvinceFile,
} from './services/seed/commune-file.js';
import cocSan from '../schedules/coc-san.json' with { type: 'json' };
import province from '../schedules/province.json' with { type: 'json' };
import quangKim from '../schedules/quang-kim.json' with { type: 'json' };

/** The schedules folder, bundled: a Worker has no disk to read it from at start. */
const scheduleFiles = [
  { file: 'schedules/province.json', text: JSON.stringify(province) },
  { file: 'schedules/coc-san.json', text: JSON.stringify(cocSan) },
  { file: 'schedules/quang-kim.json', text: JSON.stringify(quangKim) },
] as const;

/** A short digest of the bundled commune files: they are applied again when a deployment changes them. */
function digest(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16);
}

/**
 * Applies the bundled province and commune files, and makes the first users, once per change of the files:
 * a deployment that changes them applies them again at its first start.
 */
export async function applyScheduleFiles(
  db: D1Db,
  services: Services,
  config: { LOA_ADMIN_PASSWORD?: string | undefined; LOA_PROVINCE_ADMIN_PASSWORD?: string | undefined },
  logger: Logger,
): Promise<void> {
  const mark = digest(scheduleFiles.map((f) => f.text).join('\n'));
  if ((await db.journal.readMark()) === mark) return;
  const provinces = scheduleFiles.filter((f) => isProvinceFile(f.text));
  const communes = scheduleFiles.filter((f) => !isProvinceFile(f.text));
  for (const f of provinces) await services.seed.applyProvinceFile(parseProvinceFile(f.file, f.text));
  let first: string | undefined;
  for (const f of communes) {
    const commune = parseCommuneFile(f.file, f.text);
    first ??= commune.commune.id;
    const summary = await namingFile(f.file, () => services.seed.applyCommuneFile(commune));
    logger.info({ file: f.file, ...summary }, 'commune file applied');
  }
  if (first) {
    const created = await services.seed.ensureFirstUsers(first, {
      admin: config.LOA_ADMIN_PASSWORD,
      provinceAdmin: config.LOA_PROVINCE_ADMIN_PASSWORD,
    });
    for (const u of created?.generated ?? []) {
      // Once, in the deployment's log (`wrangler tail`): set the secrets before the first start instead.
      console.log(`First start: created user "${u.username}" with password: ${u.password}`);
    }
  }
  await db.journal.writeMark(mark);
}
