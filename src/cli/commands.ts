import { basename, join, resolve } from 'node:path';
import type { z } from 'zod';
import { roles, type RequestContext, type Role } from '../domain/actor.js';
import { LoaError } from '../domain/errors.js';
import type { Config } from '../config.js';
import { connectDatabase } from '../db/connect.node.js';
import { migrateToLatest } from '../db/migrator.js';
import { createNodeRuntime, type NodeRuntime, type RuntimeOverrides } from '../node.js';
import { systemClock } from '../domain/ports/clock.js';
import { webIds } from '../domain/ports/ids.js';
import { passwordText, UserInputSchema } from '../domain/user.js';
import { readScheduleFiles } from '../node-seed.js';
import { BackupError, backupDatabase } from './backup.js';
import { commune } from './commune-commands.js';
import { fail, out, withRuntime, type Command } from './run.js';

export type { CliOptions } from './run.js';

/** Acts as the first admin of the commune: the CLI runs on the server itself, as its operator. */
const operator = (runtime: NodeRuntime) => runtime.services.users.operator();

function passwordFromEnv(): { password: string; generated: boolean } {
  const given = process.env.LOA_PASSWORD;
  if (given) return { password: given, generated: false };
  return { password: webIds.token().slice(0, 20), generated: true };
}

/** Each refused field on a line of its own: `password: must be at least 10 characters`. */
const issuesOf = (error: z.ZodError) =>
  error.issues
    .map((i) => `${i.path[0] === 'password' ? 'LOA_PASSWORD' : String(i.path[0] ?? 'input')}: ${i.message}`)
    .join('\n');

/** Prints a listing of staff, every page of it: one line per person, the commune (`-`: the province's) first. */
async function printStaff(
  runtime: NodeRuntime,
  ctx: RequestContext,
  commune: string,
  of: 'commune' | 'province',
): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await runtime.services.users.list(ctx, { cursor, limit: 200 }, of);
    for (const u of page.items) {
      out(
        `${commune}\t${u.username}\t${u.role}\t${u.hamletIds.join(',') || '-'}\t${u.disabledAt ? 'disabled' : 'active'}\t${u.displayName}`,
      );
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/**
 * The province's admin `tinh` looking at one commune of its province, as the API's `X-Loa-Commune`
 * header lets it: a commune is found, or not, by the same rule.
 */
async function inCommune(
  runtime: NodeRuntime,
  province: RequestContext,
  id: string,
): Promise<RequestContext> {
  try {
    return { ...province, actor: await runtime.services.auth.viewCommune(province.actor, id) };
  } catch (error) {
    if (!(error instanceof LoaError) || error.status !== 404) throw error;
    const hint = ' The communes are listed by `loa commune list`.';
    throw new LoaError(404, error.code, `${error.detail}${hint}`, error.detailVi);
  }
}

/** `loa user list [--commune ID]`: the staff of one commune, or the province's and every commune's. */
async function listUsers(runtime: NodeRuntime, commune: string | undefined): Promise<number> {
  const province = await runtime.services.users.operator('tinh');
  if (commune !== undefined) {
    await printStaff(runtime, await inCommune(runtime, province, commune), commune, 'commune');
    return 0;
  }
  await printStaff(runtime, province, '-', 'province');
  for (const c of await runtime.services.communes.list(province)) {
    await printStaff(runtime, await inCommune(runtime, province, c.id), c.id, 'commune');
  }
  return 0;
}

const user: Command = async (config, args, opts) => {
  const [sub, username] = args;
  return withRuntime(config, async (runtime) => {
    if (sub === 'list') return listUsers(runtime, opts.commune);
    if (!username) return fail('Give a username: loa user add <username> --role <role>');
    if (sub === 'add') {
      // In the commune asked for, as the province's admin; else in the first commune, as its admin.
      const ctx =
        opts.commune === undefined
          ? await operator(runtime)
          : await inCommune(runtime, await runtime.services.users.operator('tinh'), opts.commune);
      const role = opts.role as Role | undefined;
      if (!role || !roles.includes(role)) return fail(`--role must be one of: ${roles.join(', ')}`);
      const { password, generated } = passwordFromEnv();
      // The rules of the API's and the pages' form: the terminal is one more way in, not a way around.
      const input = UserInputSchema.safeParse({
        username,
        password,
        role,
        hamletIds: opts.hamlet ?? [],
        displayName: opts.name ?? username,
      });
      if (!input.success) return fail(issuesOf(input.error));
      await runtime.services.users.create(ctx, input.data);
      out(`Created ${username} (${role}).${generated ? ` Password: ${password}` : ''}`);
      return 0;
    }
    if (sub === 'passwd') {
      const { password, generated } = passwordFromEnv();
      const checked = passwordText.safeParse(password);
      if (!checked.success) return fail(`LOA_PASSWORD: ${checked.error.issues[0]!.message}`);
      const changed = await runtime.services.users.resetPassword(username, password);
      if (changed === undefined) return fail(`No user "${username}".`);
      out(
        `Password changed for ${changed}; open sessions were signed out.${generated ? ` New password: ${password}` : ''}`,
      );
      return 0;
    }
    return fail('Use: loa user add|passwd|list');
  });
};

export const commands = {
  open: (config: Config, overrides: RuntimeOverrides = {}) => createNodeRuntime(config, overrides),
};

export const commandTable: Readonly<Record<string, Command>> = {
  migrate: async (config) => {
    const db = connectDatabase(config.DATABASE_URL, resolve(config.DATA_DIR));
    try {
      const applied = await migrateToLatest(db.kysely);
      out(applied.length ? `Applied: ${applied.join(', ')}` : 'Database schema is up to date.');
      return 0;
    } finally {
      await db.close();
    }
  },
  seed: async (config) => {
    const dir = resolve(config.SCHEDULES_DIR);
    const { communes } = readScheduleFiles(dir);
    if (communes.length === 0) {
      return fail(
        `${dir} holds no commune file (*.json): nothing to apply. Set SCHEDULES_DIR to their folder.`,
      );
    }
    return withRuntime(config, async () => {
      out(`Applied ${communes.map((c) => basename(c.file)).join(', ')}.`);
      return 0;
    });
  },
  user,
  commune,
  backup: async (config, args) => {
    const [target] = args;
    if (!target) return fail('Give a target file: loa backup <file>');
    if (config.DATABASE_URL?.startsWith('postgres')) {
      return fail(
        'This database is PostgreSQL: back it up with `pg_dump --format=custom "$DATABASE_URL" > loa.dump`.',
      );
    }
    try {
      const { bytes } = await backupDatabase(config, resolve(target));
      const media = config.MEDIA_URL ?? resolve(config.MEDIA_DIR);
      const key = config.LOA_SECRET_KEY ? 'LOA_SECRET_KEY' : join(resolve(config.DATA_DIR), 'secret.key');
      out(
        `Backed up the database to ${resolve(target)} (${(bytes / 1_048_576).toFixed(1)} MB). ` +
          `A restore also needs the media (${media}) and ${key}, which opens the webhook secrets: keep copies of them too.`,
      );
      return 0;
    } catch (error) {
      if (error instanceof BackupError) return fail(error.message);
      throw error;
    }
  },
  // What the dispatcher's leader does every hour, on demand (e.g. once after lowering the retention).
  'prune-heartbeats': (config) =>
    withRuntime(config, async (runtime) => {
      const days = config.HEARTBEAT_RETENTION_DAYS;
      const before = new Date(systemClock.now().getTime() - days * 86_400_000).toISOString();
      const pruned = await runtime.services.receivers.pruneHeartbeats(before);
      out(`Deleted ${pruned} heartbeat rows recorded before ${before} (HEARTBEAT_RETENTION_DAYS=${days}).`);
      return 0;
    }),
};
