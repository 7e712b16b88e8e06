import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEdgeRuntime, type Env } from '../../src/worker.js';
import { createHarness, type Harness } from './support/harness.js';

/**
 * A bundled commune file the database refuses at start (here: its commune's code is another commune's)
 * names the file in front of the refusal, as the Node profile's start does.
 */
describe('the bundled commune files on the edge', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('name the file in front of a refusal', async () => {
    const db = (env as Env).DB;
    await db.batch([
      db.prepare("update communes set code = '99998' where id = 'coc-san'"),
      db.prepare("update communes set code = '02746' where id = 'quang-kim'"),
      // Forgets that the files were applied: the next start applies them again.
      db.prepare('update loa_d1_lock set seeded = null where id = 1'),
    ]);
    await expect(createEdgeRuntime(env as unknown as Env)).rejects.toThrow(
      'schedules/coc-san.json: commune.code: 02746 is the code of commune "quang-kim"',
    );
  });
});
