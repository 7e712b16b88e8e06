import { describe, expect, it } from 'vitest';
import { postgresLeaderLock, soleLeader } from '../../src/db/leader-lock.node.js';

const url = process.env.TEST_DATABASE_URL;

describe('dispatcher leadership', () => {
  it('is always held by the one process of an SQLite database', async () => {
    expect(await soleLeader.acquire()).toBe(true);
  });

  it.runIf(url)(
    'lets exactly one of several instances lead on PostgreSQL, and passes on when it goes',
    async () => {
      const a = postgresLeaderLock(url!);
      const b = postgresLeaderLock(url!);
      expect(await a.acquire()).toBe(true);
      expect(await b.acquire()).toBe(false);
      expect(await a.acquire()).toBe(true);
      await a.release();
      expect(await b.acquire()).toBe(true);
      await b.release();
    },
  );
});

if (!url) process.stdout.write('PostgreSQL leadership test skipped: TEST_DATABASE_URL is not set.\n');
