import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// wrangler.toml serves ffmpeg's browser files from here, made by its build command; the tests in workerd
// need none of them, but the pool refuses to start without the folder.
mkdirSync(here('./.wrangler-assets'), { recursive: true });

/**
 * Test files of the Node suite that run unchanged on the edge profile: their harness and dialect list
 * are pointed at the edge's (test/workers/support), so the authorisation matrix, the booking rules and
 * the repository tests check D1 and the Worker with the very rows that check SQLite and PostgreSQL.
 */
const shared = [
  'test/api/authorization-matrix.test.ts',
  'test/api/broadcasts.test.ts',
  'test/api/commune-if-match.test.ts',
  'test/api/hamlets.test.ts',
  'test/api/hamlet-names.test.ts',
  'test/api/series.test.ts',
  'test/api/username-case.test.ts',
  'test/db/broadcasts.repository.test.ts',
  'test/db/webhook-outbox.test.ts',
];

/**
 * The edge profile's tests, inside workerd (the Workers runtime) with local D1, R2 and Durable Objects
 * from `wrangler.toml`. `npm test` runs them after the Node tests (`vitest.config.ts`).
 */
export default defineConfig({
  plugins: [
    cloudflareTest({
      main: './src/worker.ts',
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          LOG_LEVEL: 'silent',
          LOA_ADMIN_PASSWORD: 'admin-password-for-tests',
          LOA_PROVINCE_ADMIN_PASSWORD: 'province-password-for-tests',
        },
      },
    }),
  ],
  resolve: {
    alias: [
      { find: /^\.\.\/support\/harness\.js$/, replacement: here('./test/workers/support/harness.ts') },
      { find: /^\.\.\/support\/databases\.js$/, replacement: here('./test/workers/support/databases.ts') },
    ],
  },
  test: {
    include: ['test/workers/**/*.test.ts', ...shared],
    // Audio for the edge's checks, made on Node by the real pipeline (workerd runs no ffmpeg).
    // Signed CAP alerts too: the test keys are generated on Node (selfsigned), not in workerd.
    globalSetup: ['test/workers/support/audio-setup.ts', 'test/workers/support/cap-signing-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
