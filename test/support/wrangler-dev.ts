import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const wranglerBin = join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

/** A port nobody listens on now. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface WranglerDev {
  readonly url: string;
  /** The folder of its local D1, R2 and Durable Objects (`--persist-to`). */
  readonly state: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

/**
 * `wrangler dev --local`: the edge profile as `npx wrangler dev` runs it, offline, with local D1, R2 and
 * Durable Objects in a fresh folder of its own; `vars` are set as `wrangler secret put` would.
 */
export async function startWranglerDev(vars: Readonly<Record<string, string>>): Promise<WranglerDev> {
  const state = await mkdtemp(join(tmpdir(), 'loa-wrangler-'));
  const [port, inspector] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [
      wranglerBin,
      'dev',
      '--local',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--inspector-port',
      String(inspector),
      '--persist-to',
      state,
      '--show-interactive-dev-session=false',
      ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
    ],
    { cwd: root, env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' }, detached: true },
  );
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const gone = new Promise<void>((done) => child.once('close', () => done()));
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev stopped:\n${output}`);
    if (Date.now() - started > 90_000) {
      process.kill(-child.pid!, 'SIGKILL');
      throw new Error(`wrangler dev did not answer in 90 s:\n${output}`);
    }
    // The first request migrates D1 and applies the commune files.
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    state,
    output: () => output,
    stop: async () => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // Already gone.
      }
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Gone.
      }
      await rm(state, { recursive: true, force: true });
    },
  };
}

/** A bearer token for `username` on a running edge, from its sign-in. */
export async function signInTo(url: string, username: string, password: string): Promise<string> {
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (login.status !== 200)
    throw new Error(`sign-in as ${username} got ${login.status}: ${await login.text()}`);
  return ((await login.json()) as { token: string }).token;
}
