#!/usr/bin/env node
// In production (NODE_ENV=production) runs the JavaScript that `npm run build` emitted into dist/ with
// plain node; otherwise runs the TypeScript CLI through tsx, so that `loa` works straight from a checkout
// and never runs a stale build while the code is being changed.
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli/main.js', import.meta.url);
if (process.env.NODE_ENV === 'production') {
  if (!existsSync(built)) {
    process.stderr.write('NODE_ENV=production but there is no build: run `npm run build` first.\n');
    process.exit(1);
  }
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
