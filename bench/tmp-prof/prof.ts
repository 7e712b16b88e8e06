import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { createNodeRuntime } from '../../src/node.js';
import { hashToken, webIds } from '../../src/services/ports.js';

const dir = mkdtempSync(join(tmpdir(), 'loa-prof-'));
const runtime = await createNodeRuntime(loadConfig({ DATA_DIR: dir, MEDIA_DIR: join(dir, 'm'), LOA_ADMIN_PASSWORD: 'xxxxxxxxxxxx', LOG_LEVEL: 'warn' }), { logger: pino({ level: 'warn' }) });
const token = webIds.token();
const now = new Date().toISOString();
await runtime.db.kysely.insertInto('receivers').values({ id: 'r1', hamlet_id: 'un-ta', name: 'x', token_hash: await hashToken(token), created_at: now, updated_at: now }).execute();
const first = await runtime.app.request('/api/v1/receiver/schedule', { headers: { authorization: `Bearer ${token}` } });
const etag = first.headers.get('etag')!;
const run = async (label: string, n: number, make: () => Request) => {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const res = await runtime.app.fetch(make());
    await res.arrayBuffer();
  }
  const ms = performance.now() - t0;
  console.log(label, (ms / n * 1000).toFixed(1), 'µs/request');
};
await run('304', 3000, () => new Request('http://x/api/v1/receiver/schedule', { headers: { authorization: `Bearer ${token}`, 'if-none-match': etag } }));
await run('200', 3000, () => new Request('http://x/api/v1/receiver/schedule', { headers: { authorization: `Bearer ${token}` } }));
await run('healthz', 3000, () => new Request('http://x/healthz'));
await run('404', 3000, () => new Request('http://x/nothing'));
const t0 = performance.now();
for (let i = 0; i < 3000; i++) await runtime.services.receiverSync.authenticate(token);
console.log('authenticate', ((performance.now() - t0) / 3000 * 1000).toFixed(1), 'µs');
const t1 = performance.now();
for (let i = 0; i < 3000; i++) await hashToken(token);
console.log('hashToken', ((performance.now() - t1) / 3000 * 1000).toFixed(1), 'µs');
await runtime.close();
