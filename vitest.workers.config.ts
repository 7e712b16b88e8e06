import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

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
  test: {
    include: ['test/workers/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
