import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Repositories } from '../../src/domain/ports/repositories.js';
import { createHarness, type Harness } from '../support/harness.js';
import { storedMp3, taggedMp3 } from './support/tagged-mp3.js';

const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

/**
 * An MP3 on target is stored in R2 when the Worker has measured it, before the unit of work that saves
 * the version: when that unit refuses it or fails, the file it stored goes too, and a file that saved
 * content uses stays.
 */
describe('a processed upload refused after its MP3 was stored', () => {
  let h: Harness;
  let crash = false;
  const mp3 = bytes(inject('edgeAudio').processedMp3);
  beforeAll(async () => {
    h = await createHarness(
      undefined,
      {},
      {
        decorateRepositories: (r: Repositories) => ({
          ...r,
          audit: {
            ...r.audit,
            appendAudit: async (record) => {
              if (crash) throw new Error('crash between the writes and the audit row');
              return r.audit.appendAudit(record);
            },
          },
        }),
      },
    );
  });
  afterAll(() => h.close());

  const form = (file: Uint8Array, fields: Record<string, string>) => {
    const data = new FormData();
    for (const [k, v] of Object.entries(fields)) data.set(k, v);
    data.set('processed', 'true');
    data.set('file', new File([file], 'thong-bao.mp3', { type: 'audio/mpeg' }));
    return data;
  };
  const create = (file: Uint8Array) =>
    h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.secretary,
      body: form(file, { title: 'Lịch tiêm phòng', language: 'vi', category: 'health' }),
    });

  it('removes the MP3 when the unit of work saving the announcement fails', async () => {
    const file = taggedMp3(mp3, 16);
    crash = true;
    const res = await create(file).finally(() => (crash = false));
    expect(res.status).toBe(500);
    expect(await storedMp3(file)).toBeNull();
  });

  it('removes the MP3 of a version refused with 409, and keeps the one the first version plays', async () => {
    const first = taggedMp3(mp3, 32);
    const made = await create(first);
    expect(made.status, await made.clone().text()).toBe(202);
    const { id } = (await made.json()) as { id: string };
    expect(await storedMp3(first)).not.toBeNull();

    const addVietnamese = (file: Uint8Array) =>
      h.request(`/api/v1/announcements/${id}/variants`, {
        method: 'POST',
        token: h.tokens.secretary,
        body: form(file, { language: 'vi' }),
      });
    const second = taggedMp3(mp3, 48);
    const refused = await addVietnamese(second);
    expect(refused.status, await refused.clone().text()).toBe(409);
    expect(await storedMp3(second)).toBeNull();

    // The same bytes as the first version's: refused too, but its file is the first version's audio.
    expect((await addVietnamese(first)).status).toBe(409);
    expect(await storedMp3(first)).not.toBeNull();
  });
});
