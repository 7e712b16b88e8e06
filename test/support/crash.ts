import pino from 'pino';
import type { Repositories } from '../../src/domain/ports/repositories.js';
import { createNodeRuntime, type NodeRuntime, type RuntimeOverrides } from '../../src/node.js';
import { createHarness, requestOn, type Harness } from './harness.js';

type Decorator = (repositories: Repositories) => Repositories;
type Method = (...args: unknown[]) => Promise<unknown>;

/** Replaces one method of one repository with `wrap(original)`; the others stay as they are. */
function replace<K extends keyof Repositories>(
  repositories: Repositories,
  repo: K,
  method: keyof Repositories[K] & string,
  wrap: (original: Method) => Method,
): Repositories {
  const inner = repositories[repo] as unknown as Record<string, Method>;
  const original = inner[method]!;
  return { ...repositories, [repo]: { ...inner, [method]: wrap(original) } };
}

/**
 * Repositories whose `repo.method` does its work and then throws, as if the process died right after
 * that step of a unit of work: whatever the unit wrote so far must be rolled back.
 */
export const crashAfter =
  <K extends keyof Repositories>(repo: K, method: keyof Repositories[K] & string): Decorator =>
  (repositories) =>
    replace(repositories, repo, method, (original) => async (...args) => {
      await original(...args);
      throw new Error(`simulated crash after ${repo}.${method}`);
    });

/**
 * Once armed, holds the units of work that call `repo.method` after the call until `parties` of them got
 * there, so that each has checked before any writes: the race of two requests, every time. SQLite runs
 * one unit of work at a time, so there the others cannot get there, and each goes on after `fallbackMs`.
 */
export function meetAfter<K extends keyof Repositories>(
  repo: K,
  method: keyof Repositories[K] & string,
  fallbackMs = 500,
): {
  readonly decorate: Decorator;
  /** From now on, `parties` callers meet; resolves when the first has made its call. */
  arm(parties: number): { readonly first: Promise<void> };
} {
  let meeting:
    { parties: number; arrived: number; met: Promise<void>; open: () => void; came: () => void } | undefined;
  return {
    decorate: (repositories) =>
      replace(repositories, repo, method, (original) => async (...args) => {
        const result = await original(...args);
        if (!meeting) return result;
        meeting.came();
        if (++meeting.arrived >= meeting.parties) meeting.open();
        await Promise.race([meeting.met, new Promise((resolve) => setTimeout(resolve, fallbackMs))]);
        return result;
      }),
    arm(parties) {
      let open!: () => void;
      let came!: () => void;
      const met = new Promise<void>((resolve) => (open = resolve));
      const first = new Promise<void>((resolve) => (came = resolve));
      meeting = { parties, arrived: 0, met, open, came };
      return { first };
    },
  };
}

/** Counts the calls of `repo.method` made inside units of work; the calls themselves go through. */
export function countCalls<K extends keyof Repositories>(
  repo: K,
  method: keyof Repositories[K] & string,
): { readonly decorate: Decorator; calls(): number } {
  let calls = 0;
  return {
    decorate: (repositories) =>
      replace(repositories, repo, method, (original) => (...args) => {
        calls++;
        return original(...args);
      }),
    calls: () => calls,
  };
}

/**
 * A harness whose service can be stopped and started again on the same database and media folder, as
 * after a crash or a deploy. The fixture users' sessions live in the database, so their tokens work
 * across restarts.
 */
export interface RestartableHarness {
  readonly h: Harness;
  /** The instance running now. */
  readonly runtime: NodeRuntime;
  readonly request: Harness['request'];
  /** Stops the running instance without finishing its work (no queue drained) and starts a new one. */
  restart(overrides?: Omit<RuntimeOverrides, 'clock' | 'logger'>): Promise<void>;
  close(): Promise<void>;
}

export async function createRestartableHarness(
  dialect: 'sqlite' | 'postgres',
  overrides: Omit<RuntimeOverrides, 'clock' | 'logger'> = {},
): Promise<RestartableHarness> {
  const h = await createHarness(dialect, {}, overrides);
  let runtime: NodeRuntime | undefined = h.runtime;
  let request = requestOn(h.runtime);
  return {
    h,
    get runtime() {
      if (!runtime) throw new Error('no instance is running');
      return runtime;
    },
    request: (path, init) => request(path, init),
    async restart(next = {}) {
      await runtime?.close();
      runtime = undefined;
      runtime = await createNodeRuntime(h.runtime.config, {
        ...next,
        clock: h.clock,
        logger: pino({ level: 'silent' }),
      });
      request = requestOn(runtime);
    },
    async close() {
      await runtime?.close();
      runtime = undefined;
      await h.database.drop();
    },
  };
}
