import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/agent-harness.js';
import { loaBin, runLoa, serveLoa, type RunningServer } from '../support/serve.js';

const recorder = fileURLToPath(new URL('../support/recording-player.mjs', import.meta.url));
const password = 'cli-admin-password';

describe('loa receiver and loa simulate against loa serve', () => {
  let dir: string;
  let server: RunningServer;
  let admin: string;
  const api = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${server.url}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
    });
    return (await res.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loa-cli-rx-'));
    server = await serveLoa({
      DATA_DIR: join(dir, 'data'),
      MEDIA_DIR: join(dir, 'media'),
      LOA_ADMIN_PASSWORD: password,
      LOG_LEVEL: 'info',
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

  it('runs an agent that syncs, caches its manifest, heartbeats, and stops cleanly on SIGTERM', async () => {
    const created = (await api('/api/v1/receivers', {
      method: 'POST',
      body: JSON.stringify({ hamletId: 'un-ta', name: 'Hộp thử' }),
    })) as {
      receiver: { id: string };
      token: string;
    };
    const cache = join(dir, 'box');
    const child = spawn(
      process.execPath,
      [
        loaBin,
        'receiver',
        '--server',
        server.url,
        '--cache',
        cache,
        '--player',
        `"${process.execPath}" "${recorder}" "${join(dir, 'played')}" {file}`,
      ],
      { env: { ...process.env, LOA_RECEIVER_TOKEN: created.token } },
    );
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    try {
      await eventually(
        () => existsSync(join(cache, 'manifest.json')),
        `the manifest in the cache\n${output}`,
        30_000,
      );
      const manifest = JSON.parse(readFileSync(join(cache, 'manifest.json'), 'utf8')) as {
        manifest: { receiverId: string };
      };
      expect(manifest.manifest.receiverId).toBe(created.receiver.id);
      await eventually(
        async () => (await api(`/api/v1/receivers/${created.receiver.id}`)).online === true,
        'a heartbeat',
        30_000,
      );
      const row = await api(`/api/v1/receivers/${created.receiver.id}`);
      expect(row).toMatchObject({ online: true, volume: 80, signal: null, appVersion: '0.1.0' });
      expect(output).toMatch(/receiver agent started/);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  it('refuses to start without a token or with a bad server URL, saying what to give', async () => {
    const noToken = await runLoa(['receiver', '--server', server.url, '--cache', join(dir, 'x')], {
      LOA_RECEIVER_TOKEN: '',
    });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toMatch(/device token/);
    const badUrl = await runLoa(['receiver', '--server', 'loa.local', '--token', 'x'.repeat(43)], {});
    expect(badUrl.code).toBe(1);
    expect(badUrl.stderr).toMatch(/--server must be/);
  });

  it('simulates receivers that come online, hold push channels and heartbeat', async () => {
    const run = await runLoa(
      ['simulate', '--server', server.url, '--receivers', '3', '--hamlet', 'thon-4', '--duration-s', '3'],
      {
        LOA_USERNAME: 'admin',
        LOA_PASSWORD: password,
      },
    );
    expect(run.code, run.stderr).toBe(0);
    const last = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
    expect(last).toMatchObject({ receivers: 3, online: 3, unauthorized: 0 });
    const listed = (await api('/api/v1/receivers?hamletId=thon-4&limit=200')) as {
      items: { name: string; online: boolean }[];
    };
    const simulated = listed.items.filter((r) => r.name.startsWith('Loa mô phỏng'));
    expect(simulated).toHaveLength(3);
    expect(simulated.every((r) => r.online)).toBe(true);
  });
});
