import type { Logger } from '../domain/ports/logger.js';

const levels = { silent: 99, fatal: 60, error: 50, warn: 40, info: 30, debug: 20, trace: 10 } as const;
export type LogLevel = keyof typeof levels;

/**
 * The logger of the edge profile: one JSON line per entry on the console, which Workers keep as the
 * invocation's logs (`wrangler tail`). pino's Node transport has no place there; the lines have pino's
 * shape (`level`, `time`, `msg` and the fields), so the same queries read both profiles' logs.
 */
export function createConsoleLogger(
  level: LogLevel = 'info',
  bindings: Record<string, unknown> = {},
): Logger {
  const threshold = levels[level];
  const write = (name: Exclude<LogLevel, 'silent'>) => (obj: object, msg?: string) => {
    if (levels[name] < threshold) return;
    const line = JSON.stringify({ level: levels[name], time: Date.now(), ...bindings, ...obj, msg });
    if (levels[name] >= levels.error) console.error(line);
    else console.log(line);
  };
  return {
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    debug: write('debug'),
    child: (more) => createConsoleLogger(level, { ...bindings, ...more }),
  };
}
