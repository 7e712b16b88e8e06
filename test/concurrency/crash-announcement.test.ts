import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ffmpegFixture } from '../support/audio-fixtures.js';
import {
  countCalls,
  crashAfter,
  createRestartableHarness,
  type RestartableHarness,
} from '../support/crash.js';
import { dialects } from '../support/databases.js';

/** A real three-second WAV recording (a tone), made once by ffmpeg. */
const recording = ffmpegFixture('crash-tone.wav', [
  '-f',
  'lavfi',
  '-i',
  'sine=frequency=523:duration=3',
  '-ac',
  '1',
  '-ar',
  '22050',
]);

function uploadForm(): FormData {
  const form = new FormData();
  form.set('title', 'Lịch tiêm phòng gia súc');
  form.set('language', 'vi');
  form.set('category', 'nong-nghiep');
  form.set('file', new Blob([recording], { type: 'audio/wav' }), 'ghi-am.wav');
  return form;
}

/**
 * Creating an announcement writes the announcement, its first version, an audit row and the processing
 * job in one unit of work, after keeping the upload as the original. A crash between those steps leaves
 * nothing at all; a crash after the commit leaves a job that a restarted instance runs exactly once.
 */
describe.each(dialects)('a crash while creating an announcement on %s', (dialect) => {
  let s: RestartableHarness | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  const post = (t: RestartableHarness) =>
    t.request('/api/v1/announcements', { method: 'POST', token: t.h.tokens.secretary, body: uploadForm() });

  /** Everything the create use case writes, counted. */
  async function stored(t: RestartableHarness) {
    const db = t.runtime.db.kysely;
    const count = async (table: 'announcements' | 'announcement_variants' | 'jobs') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const audit = await db
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'announcement.create')
      .execute();
    return {
      announcements: await count('announcements'),
      variants: await count('announcement_variants'),
      audit: audit.length,
      jobs: await count('jobs'),
    };
  }

  const filesIn = (t: RestartableHarness, folder: 'tmp' | 'src') => {
    try {
      return readdirSync(join(t.runtime.media.root, folder));
    } catch {
      return [];
    }
  };

  const jobRows = (t: RestartableHarness) =>
    t.runtime.db.kysely.selectFrom('jobs').select(['id', 'status', 'attempts']).execute();

  /**
   * After a restart, the same upload is accepted and its job runs once: one job row done after one
   * attempt, the version's audio stored once, the announcement ready; a second drain runs nothing.
   */
  async function processedOnceAfterRestart(t: RestartableHarness) {
    const setAudio = countCalls('announcements', 'setVariantAudio');
    await t.restart({ decorateRepositories: setAudio.decorate });
    const accepted = await post(t);
    expect(accepted.status).toBe(202);
    const { id } = (await accepted.json()) as { id: string };
    expect(await stored(t)).toEqual({ announcements: 1, variants: 1, audit: 1, jobs: 1 });

    await t.runtime.jobs.drain();
    expect(setAudio.calls()).toBe(1);
    const jobs = await jobRows(t);
    expect(jobs).toEqual([{ id: expect.any(String), status: 'done', attempts: 1 }]);
    const announcement = await t.request(`/api/v1/announcements/${id}`, { token: t.h.tokens.secretary });
    expect(await announcement.json()).toMatchObject({ status: 'ready', variants: [{ status: 'ready' }] });

    await t.runtime.jobs.drain();
    expect(setAudio.calls()).toBe(1);
    expect(await jobRows(t)).toEqual(jobs);
    // The kept original belongs to the one stored version; nothing is left in flight.
    expect(filesIn(t, 'tmp')).toEqual([]);
    expect(filesIn(t, 'src')).toHaveLength(1);
  }

  /**
   * The failed unit of work is rolled back whole (no announcement, version, audit row or job), and the
   * upload already kept as an original is removed with the request, so the media store is as before.
   */
  it.each([
    { step: 'announcements.insertAnnouncement', crash: crashAfter('announcements', 'insertAnnouncement') },
    { step: 'jobs.enqueueJob', crash: crashAfter('jobs', 'enqueueJob') },
  ])(
    'a crash after $step answers 500 and leaves no row and no file; after a restart the job runs once',
    async ({ crash }) => {
      s = await createRestartableHarness(dialect, { decorateRepositories: crash });

      const failed = await post(s);
      expect(failed.status).toBe(500);
      expect(await stored(s)).toEqual({ announcements: 0, variants: 0, audit: 0, jobs: 0 });
      expect(filesIn(s, 'tmp')).toEqual([]);
      expect(filesIn(s, 'src')).toEqual([]);

      await processedOnceAfterRestart(s);
    },
  );

  /**
   * The instance stops after the commit and before any processing: the job waits in the database, and
   * the next instance runs it exactly once.
   */
  it('a crash after the commit, before processing: the next instance processes it exactly once', async () => {
    s = await createRestartableHarness(dialect);
    const accepted = await post(s);
    expect(accepted.status).toBe(202);
    expect(await jobRows(s)).toEqual([{ id: expect.any(String), status: 'queued', attempts: 0 }]);

    const setAudio = countCalls('announcements', 'setVariantAudio');
    await s.restart({ decorateRepositories: setAudio.decorate });
    await s.runtime.jobs.drain();
    expect(setAudio.calls()).toBe(1);
    const jobs = await jobRows(s);
    expect(jobs).toEqual([{ id: expect.any(String), status: 'done', attempts: 1 }]);
    await s.runtime.jobs.drain();
    expect(setAudio.calls()).toBe(1);
    expect(await jobRows(s)).toEqual(jobs);
    const variants = await s.runtime.db.kysely
      .selectFrom('announcement_variants')
      .select(['status', 'audio_sha256'])
      .execute();
    expect(variants).toEqual([{ status: 'ready', audio_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
  });
});
