import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { CommuneFileError } from '../services/seed/commune-file.js';
import { commands, commandTable } from './commands.js';
import { deviceCommands } from './device-commands.js';
import { processRoles, runProcess, type ProcessCommand } from './process-roles.js';

const usage = `Usage: loa <command> [options]

  start                          run the whole service in one process: HTTP, audio jobs, dispatcher (npm start)
  serve                          HTTP only (API, pages, receivers' channels); scale out with several behind a proxy
  worker                         audio jobs only (JOB_CONCURRENCY at once); as many as the audio needs
  dispatch                       the dispatcher only (series, missed airings, webhooks); leader-locked
  migrate                        bring the database schema up to date
  seed                           re-apply the commune files in SCHEDULES_DIR (never deletes user data)
  user add <username> --role R [--hamlet ID ...] [--name "Display name"] [--commune ID]
                                 (password from LOA_PASSWORD or prompt-free generated; in the first commune without --commune)
  user passwd <username>         set a new password (LOA_PASSWORD or generated, printed once)
  user list [--commune ID]       the province's staff, then every commune's (or one commune's):
                                 commune (- for the province), username, role, hamlets, state, name
  commune add --name "Xã …" --code NNNNN [--id ID] [--admin-username U [--admin-name "…"]] [--time-zone TZ]
                                 a new commune of the province (as its admin \`tinh\`); the first admin's password is printed once
  commune list                   the province's communes: id, code, receivers online/total, name
  commune delete <id> --yes      hide a commune: its users and receivers are refused from then on
  backup <file>                  consistent copy of the SQLite database to <file>, while the service runs
  prune-heartbeats               delete heartbeat history older than HEARTBEAT_RETENTION_DAYS (default 30)
  receiver --server URL --token T --cache DIR [--player "CMD {file}"] [--cache-max-mb 1024] [--volume 80]
  receiver --enrol "loa-receiver:?server=…&token=…" --cache DIR
                                 run a loudspeaker box's agent (token also from LOA_RECEIVER_TOKEN; loa receiver --help)
  worker --edge URL --token T [--node NAME] [--work DIR] [--once]
                                 run a processing node for the edge profile: speak texts and level recordings with
                                 this machine's ffmpeg for a Cloudflare deployment (loa worker --help)
  simulate --server URL --receivers N [--hamlet ID] [--tokens FILE] [--duration-s S]
                                 run N virtual receivers (without --tokens: made or reused as LOA_USERNAME/LOA_PASSWORD,
                                 named "Loa mô phỏng N", disabled at the end; loa simulate --help)

Configuration comes from the environment: PORT, DATA_DIR, MEDIA_DIR, DATABASE_URL, LOA_ADMIN_PASSWORD,
LOA_PROVINCE_ADMIN_PASSWORD, FFMPEG_PATH, LOG_LEVEL, HEARTBEAT_RETENTION_DAYS (see README).`;

/**
 * `loa worker --edge URL` is a processing node for an edge deployment; `loa worker` alone is one of this
 * deployment's processes (audio jobs only), started like `serve` and `dispatch`.
 */
function isDeviceCommand(argv: readonly string[]): boolean {
  const name = argv[0] ?? '';
  if (!Object.hasOwn(deviceCommands, name)) return false;
  if (name !== 'worker') return true;
  return argv.some((a) => a === '--edge' || a.startsWith('--edge=') || a === '--help' || a === '-h');
}

async function main(argv: readonly string[]): Promise<number> {
  // Device-side commands parse their own options and need no server configuration.
  const device = isDeviceCommand(argv) ? deviceCommands[argv[0]!] : undefined;
  if (device) return device(argv.slice(1));
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      hamlet: { type: 'string', multiple: true },
      name: { type: 'string' },
      id: { type: 'string' },
      code: { type: 'string' },
      'admin-username': { type: 'string' },
      'admin-name': { type: 'string' },
      'time-zone': { type: 'string' },
      yes: { type: 'boolean' },
      commune: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${usage}\n`);
    return command || values.help ? 0 : 1;
  }
  const config = loadConfig(process.env);
  const roles = Object.hasOwn(processRoles, command) ? processRoles[command as ProcessCommand] : undefined;
  if (roles) {
    await runProcess(config, command as ProcessCommand, roles);
    return -1;
  }
  const run = Object.hasOwn(commandTable, command) ? commandTable[command] : undefined;
  if (!run) {
    process.stderr.write(`Unknown command "${command}".\n\n${usage}\n`);
    return 1;
  }
  return run(config, rest, values);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    // What an operator can act on is one line: a setting, a file, a path or an option.
    // Its own code or its cause's (a migration that could not connect).
    const chain = [error, (error as Error | undefined)?.cause];
    const codeOf = (e: unknown) => (e as NodeJS.ErrnoException | undefined)?.code;
    // PostgreSQL refusing DATABASE_URL itself (SQLSTATE classes 08 connection, 28 authorisation, 3D no
    // such database, 53 too many connections; 57P03 still starting): its message names what to change.
    const refusedBy = chain.find((e) => /^(08|28|3D|53)[0-9A-Z]{3}$|^57P03$/.test(String(codeOf(e))));
    if (refusedBy instanceof Error) {
      process.stderr.write(`DATABASE_URL: ${refusedBy.message}\n`);
      process.exit(1);
    }
    const code = chain.map(codeOf).find((c) => c !== undefined);
    const plain = typeof code === 'string' && /^(E[A-Z]+$|ERR_PARSE_ARGS_)/.test(code);
    if (
      error instanceof Error &&
      (error instanceof ConfigError || error instanceof CommuneFileError || plain)
    ) {
      // A connection refused on every address of a name (`localhost`: ::1 and 127.0.0.1) has no message
      // of its own, only those of its attempts.
      const attempts = error instanceof AggregateError ? error.errors.map((e: Error) => e.message) : [];
      process.stderr.write(`${error.message || attempts.join('; ') || String(code)}\n`);
    } else {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exit(1);
  },
);
