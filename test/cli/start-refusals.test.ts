/**
 * Where a service process cannot begin — its port taken, its database refusing it — it says so in one
 * line that names the setting to change, exits 1, and has started no work.
 */
import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLoa } from '../support/serve.js';

const dir = mkdtempSync(join(tmpdir(), 'loa-cli-refusals-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const oneLine = (result: { code: number | null; stderr: string }) => {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toMatch(/^[^\n]+\n$/);
};

describe('a service process that cannot take its port', () => {
  it('names HOST and PORT in one line, exits 1 and has run no job', async () => {
    const taken: Server = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const port = (taken.address() as { port: number }).port;
    try {
      const result = await runLoa(['start'], {
        DATA_DIR: join(dir, 'data'),
        MEDIA_DIR: join(dir, 'media'),
        LOA_ADMIN_PASSWORD: 'admin-password-1',
        LOA_PROVINCE_ADMIN_PASSWORD: 'province-password-1',
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'info',
      });
      oneLine(result);
      expect(result.stderr).toMatch(
        new RegExp(`^HOST=127\\.0\\.0\\.1 PORT=${port}: .*already in use.*set PORT`),
      );
      // The clean-up that precedes the audio jobs never ran: a second `loa start` by mistake leaves the
      // first one's work alone.
      expect(result.stdout).not.toContain('media store cleared');
    } finally {
      await new Promise((done) => taken.close(done));
    }
  });
});

const postgres = process.env.TEST_DATABASE_URL;
describe.skipIf(!postgres)('a command whose PostgreSQL refuses the connection', () => {
  // Addresses that cannot connect, so that nothing is written to the database the tests share.
  const elsewhere = (change: (url: URL) => void) => {
    const url = new URL(postgres!);
    change(url);
    return url.toString();
  };

  it('names DATABASE_URL in one line, without its password', async () => {
    const env = { DATA_DIR: join(dir, 'pg'), LOG_LEVEL: 'warn' };
    const noDatabase = await runLoa(['migrate'], {
      ...env,
      DATABASE_URL: elsewhere((u) => (u.pathname = '/loa_no_such_database')),
    });
    oneLine(noDatabase);
    expect(noDatabase.stderr).toBe('DATABASE_URL: database "loa_no_such_database" does not exist\n');

    const noRole = await runLoa(['user', 'list'], {
      ...env,
      DATABASE_URL: elsewhere((u) => {
        u.username = 'loa_no_such_role';
        u.password = 'hunter2-secret';
      }),
    });
    oneLine(noRole);
    expect(noRole.stderr).toMatch(/^DATABASE_URL: .*"loa_no_such_role"/);
    expect(noRole.stderr).not.toContain('hunter2-secret');
  });
});
