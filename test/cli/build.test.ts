/**
 * Production start without a TypeScript runtime: the build emits JavaScript, and plain `node` runs it
 * (here from a copy outside the checkout's dist/, so that the test never leaves a stale build behind).
 */
import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('npm run build', () => {
  it('emits JavaScript that plain node starts, answering /healthz', async () => {
    // Under the checkout, so that the emitted files find node_modules as they would in dist/.
    const out = await mkdtemp(join(root, '.tmp-build-'));
    dirs.push(out);
    await promisify(execFile)(process.execPath, [
      join(root, 'node_modules/typescript/bin/tsc'),
      '-p',
      join(root, 'tsconfig.build.json'),
      '--outDir',
      join(out, 'dist'),
    ]);
    await copyFile(join(root, 'package.json'), join(out, 'package.json'));
    expect(await readdir(join(out, 'dist', 'cli'))).toContain('main.js');

    const data = join(out, 'data');
    const child = spawn(process.execPath, [join(out, 'dist/cli/main.js'), 'start'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: data,
        MEDIA_DIR: join(out, 'media'),
        LOA_ADMIN_PASSWORD: 'admin-password-for-tests',
        LOA_PROVINCE_ADMIN_PASSWORD: 'province-password-for-tests',
      },
    });
    const exited = new Promise<number | null>((r) => child.once('close', r));
    try {
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`did not start:\n${output}`)), 60_000);
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          const match = output.match(/Loa listening on (http:\/\/localhost:\d+)/);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!.replace('localhost', '127.0.0.1'));
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
      });
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(((await health.json()) as { status: string }).status).toBe('ok');
      // Nothing in the process came from a TypeScript loader.
      expect(output).not.toMatch(/tsx|\.ts:/);
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  }, 180_000);
});
