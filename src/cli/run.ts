/** What every `loa` command shares: its options, its output, and a runtime opened for one command. */
import type { Config } from '../config.js';
import { LoaError } from '../domain/errors.js';
import { createNodeRuntime, type NodeRuntime } from '../node.js';

export interface CliOptions {
  readonly role?: string | undefined;
  readonly hamlet?: readonly string[] | undefined;
  readonly name?: string | undefined;
  readonly id?: string | undefined;
  readonly code?: string | undefined;
  readonly 'admin-username'?: string | undefined;
  readonly 'admin-name'?: string | undefined;
  readonly 'time-zone'?: string | undefined;
  readonly yes?: boolean | undefined;
  readonly commune?: string | undefined;
}

export type Command = (config: Config, args: readonly string[], opts: CliOptions) => Promise<number>;

export const out = (text: string) => process.stdout.write(`${text}\n`);
export const fail = (text: string) => {
  process.stderr.write(`${text}\n`);
  return 1;
};

export async function withRuntime(
  config: Config,
  work: (runtime: NodeRuntime) => Promise<number>,
): Promise<number> {
  const runtime = await createNodeRuntime({
    ...config,
    LOG_LEVEL: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL,
  });
  try {
    return await work(runtime);
  } catch (error) {
    // A refusal of the service as the operator reads it on the terminal: what is wrong, nothing else.
    if (error instanceof LoaError) return fail(error.detail);
    throw error;
  } finally {
    await runtime.close();
  }
}
