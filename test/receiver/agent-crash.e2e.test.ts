import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/agent-harness.js';
import { loaBin, serveLoa, type RunningServer } from '../support/serve.js';

const recorder = fileURLToPath(new URL('../support/recording-player.mjs', import.meta.url));
const password = 'crash-admin-password';

/**
 * `loa receiver` killed (`kill -9` of its process group, as a power cut) in the middle of a command of the
 * commune, then started again on the same disk: the command is answered, not left to time out.
 */
describe('a receiver agent killed while it carries out a command', () => {
  let dir: string;
  let server: RunningServer;
  let admin: string;
  const api = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${server.url}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loa-agent-crash-'));
    server = await serveLoa({
      DATA_DIR: join(dir, 'data'),
      MEDIA_DIR: join(dir, 'media'),
      LOA_ADMIN_PASSWORD: password,
    });
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    admin = ((await login.json()) as { token: string }).token;
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a test tone cut off by the kill once it is back, instead of leaving it to time out', async () => {
    const created = (
      await api('/api/v1/receivers', {
        method: 'POST',
        body: JSON.stringify({ hamletId: 'un-ta', name: 'Hộp mất điện' }),
      })
    ).body as { receiver: { id: string }; token: string };
    const box = join(dir, 'box');
    const played = join(dir, 'played');
    const output: string[] = [];
    // Its own process group: the kill takes the player with it, as a power cut would.
    const startAgent = (): ChildProcess => {
      const child = spawn(
        process.execPath,
        [
          loaBin,
          'receiver',
          '--server',
          server.url,
          '--cache',
          box,
          '--heartbeat-s',
          '1',
          '--player',
          `"${process.execPath}" "${recorder}" "${played}" {file}`,
        ],
        { env: { ...process.env, LOA_RECEIVER_TOKEN: created.token }, detached: true },
      );
      child.stdout!.on('data', (d) => output.push(String(d)));
      child.stderr!.on('data', (d) => output.push(String(d)));
      return child;
    };
    const gone = (child: ChildProcess) => new Promise((resolve) => child.once('close', resolve));
    const commandOf = async (id: string) =>
      (
        (await api(`/api/v1/receivers/${created.receiver.id}/commands`)).body as {
          items: { id: string; state: string; result: string | null }[];
        }
      ).items.find((c) => c.id === id)!;

    // The tone "plays" until it is stopped: the kill comes while it is on the air.
    writeFileSync(`${played}.hold`, 'test-tone');
    const first = startAgent();
    let again: ChildProcess | undefined;
    try {
      await eventually(
        () => existsSync(join(box, 'manifest.json')),
        `the first sync\n${output.join('')}`,
        30_000,
      );
      const sent = await api(`/api/v1/receivers/${created.receiver.id}/commands`, {
        method: 'POST',
        body: JSON.stringify({ kind: 'test_tone' }),
      });
      expect(sent.status).toBe(202);
      const id = (sent.body as { items: { id: string }[] }).items[0]!.id;
      await eventually(
        () => existsSync(played) && readFileSync(played, 'utf8').includes('test-tone.wav'),
        `the tone to play\n${output.join('')}`,
        30_000,
      );
      expect((await commandOf(id)).state).toBe('delivered');

      const killed = gone(first);
      process.kill(-first.pid!, 'SIGKILL');
      await killed;
      rmSync(`${played}.hold`);
      again = startAgent();
      await eventually(
        async () => !['pending', 'delivered'].includes((await commandOf(id)).state),
        `an answer after the restart\n${output.join('')}`,
        20_000,
      );
      expect(await commandOf(id)).toMatchObject({
        state: 'failed',
        result: 'test tone cut off: the receiver went down while it played',
      });
    } finally {
      for (const child of [first, again]) {
        if (child && child.exitCode === null && child.signalCode === null) {
          const exited = gone(child);
          process.kill(-child.pid!, 'SIGKILL');
          await exited;
        }
      }
    }
  });
});
