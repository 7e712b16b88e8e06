import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pino from 'pino';
import type { Config } from './config.js';
import type { Services } from './services/index.js';
import {
  CommuneFileError,
  isProvinceFile,
  namingFile,
  parseCommuneFile,
  parseProvinceFile,
  type CommuneFile,
  type ProvinceFile,
} from './services/seed/commune-file.js';

/** What the schedules folder holds, each file with its name for the log and for error messages. */
export interface ScheduleFiles {
  readonly provinces: readonly { file: string; province: ProvinceFile }[];
  readonly communes: readonly { file: string; commune: CommuneFile }[];
}

/**
 * Reads every file of the schedules folder: the province file (if any) and the commune files; a
 * malformed one throws naming file and path.
 */
export function readScheduleFiles(dir: string): ScheduleFiles {
  const names = readdirSync(dir)
    .filter((n) => n.endsWith('.json') && !n.endsWith('.schema.json'))
    .sort();
  const texts = names.map((name) => ({ file: join(dir, name), text: readFileSync(join(dir, name), 'utf8') }));
  const communes = texts
    .filter((t) => !isProvinceFile(t.text))
    .map((t) => ({ file: t.file, commune: parseCommuneFile(t.file, t.text) }));
  assertDistinct(communes);
  return {
    provinces: texts
      .filter((t) => isProvinceFile(t.text))
      .map((t) => ({ file: t.file, province: parseProvinceFile(t.file, t.text) })),
    communes,
  };
}

/** Two files may not name one commune, code, hamlet or box: checked before either is applied. */
function assertDistinct(communes: ScheduleFiles['communes']): void {
  const owners = new Map<string, string>();
  for (const { file, commune } of communes) {
    const names = [
      [`commune.id "${commune.commune.id}"`, `commune:${commune.commune.id}`],
      [`commune.code ${commune.commune.code}`, `code:${commune.commune.code}`],
      ...commune.hamlets.map((h, i) => [`hamlets[${i}].id "${h.id}"`, `hamlet:${h.id}`]),
      ...commune.receivers.map((r, i) => [`receivers[${i}].id "${r.id}"`, `receiver:${r.id}`]),
    ] as const;
    for (const [what, key] of names) {
      const owner = owners.get(key);
      if (owner) throw new CommuneFileError(`${file}: ${what}: already in ${owner}`);
      owners.set(key, file);
    }
  }
}

/**
 * Applies the schedules folder at start-up: the province files, then the commune files, then the first
 * users of the first commune (printing their generated passwords once).
 */
export async function applyScheduleFiles(
  seed: Services['seed'],
  { provinces, communes }: ScheduleFiles,
  config: Pick<Config, 'LOA_ADMIN_PASSWORD' | 'LOA_PROVINCE_ADMIN_PASSWORD' | 'PORT'>,
  logger: pino.Logger,
): Promise<void> {
  for (const { file, province } of provinces) {
    await seed.applyProvinceFile(province);
    logger.info({ file, province: province.province.code }, 'province file applied');
  }
  for (const { file, commune } of communes) {
    const summary = await namingFile(file, () => seed.applyCommuneFile(commune));
    logger.info({ file, ...summary }, 'commune file applied');
  }
  const first = communes[0]?.commune.commune.id;
  if (first) {
    const created = await seed.ensureFirstUsers(first, {
      admin: config.LOA_ADMIN_PASSWORD,
      provinceAdmin: config.LOA_PROVINCE_ADMIN_PASSWORD,
    });
    if (created && created.generated.length > 0) {
      // Printed once on purpose: the first users need them to sign in, and they are stored only hashed.
      // The log lines before them are flushed first, so that they stand on lines of their own between
      // rules, never inside a JSON log line where nobody would find them.
      logger.flush();
      const rule = '='.repeat(72);
      const lines = created.generated.map(
        (u) => `First start: created user "${u.username}" with password: ${u.password}`,
      );
      process.stdout.write(
        `\n${rule}\n${lines.join('\n')}\n` +
          `Open ${config.PORT ? `http://localhost:${config.PORT}/` : 'the address below'} and sign in as admin (the commune's administrator) or tinh\n` +
          "(the province's: new communes and their admins); change a password under Quản trị → Người dùng\n" +
          '(or PATCH /api/v1/users/{id}). Set LOA_ADMIN_PASSWORD and LOA_PROVINCE_ADMIN_PASSWORD before the first\n' +
          `start to choose them instead.\n${rule}\n\n`,
      );
    }
  }
}
