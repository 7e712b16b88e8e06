import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_MAX_ATTEMPTS } from '../../src/domain/ports/jobs.js';
import { createHarness, type Harness } from '../support/harness.js';

interface Version {
  status: string;
  error: string | null;
}

/**
 * A version never stays "processing" with no job left to finish it: audio that cannot be saved sends it
 * back to the queue, and a job whose every worker died fails it with the reason, so "Xử lý lại" works.
 * On SQLite: the database's refusal is a real trigger, not a stand-in.
 */
describe('versions that could not be finished', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite');
  });
  afterAll(() => h.close());

  const typed = async (title: string) => {
    const res = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.secretary,
      json: { title, language: 'vi', text: 'Chiều nay họp thôn lúc 14 giờ.' },
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { id: string }).id;
  };
  const version = async (id: string): Promise<Version> => {
    const res = await h.request(`/api/v1/announcements/${id}`, { token: h.tokens.secretary });
    return ((await res.json()) as { variants: Version[] }).variants[0]!;
  };
  const jobOf = (id: string) =>
    h.runtime.db.kysely
      .selectFrom('jobs as j')
      .innerJoin('announcement_variants as v', (join) =>
        join.on(sql<boolean>`j.id like 'process-variant:' || v.id || ':%'`),
      )
      .select(['j.id', 'j.status', 'j.attempts'])
      .where('v.announcement_id', '=', id)
      .orderBy('j.created_at', 'desc')
      .executeTakeFirstOrThrow();
  const retry = (id: string) =>
    h.request(`/api/v1/announcements/${id}/retry`, { method: 'POST', token: h.tokens.secretary });

  it('goes back to the queue when its audio cannot be saved, and is ready once the database takes it', async () => {
    const id = await typed('Họp thôn chiều nay');
    // The database refuses the processed audio, as a full or failing disk would.
    await sql`create trigger refuse_audio before insert on audio_assets
      begin select raise(abort, 'disk I/O error'); end`.execute(h.runtime.db.kysely);
    await h.runtime.jobs.drain();
    expect(await version(id)).toMatchObject({ status: 'queued' });
    expect((await jobOf(id)).status).toBe('queued');

    await sql`drop trigger refuse_audio`.execute(h.runtime.db.kysely);
    h.clock.advance(60_000);
    await h.runtime.jobs.drain();
    expect(await version(id)).toMatchObject({ status: 'ready', error: null });
  });

  it('fails for good, with the reason, once the worker of its last attempt died too; retry makes it', async () => {
    const id = await typed('Lịch tiêm phòng');
    // Every attempt so far ended with its worker killed: the job is running under a lease run out.
    const job = await jobOf(id);
    await h.runtime.db.kysely
      .updateTable('jobs')
      .set({
        status: 'running',
        attempts: JOB_MAX_ATTEMPTS,
        leased_by: 'worker-killed',
        lease_until: new Date(h.clock.now().getTime() - 1000).toISOString(),
      })
      .where('id', '=', job.id)
      .execute();
    await h.runtime.db.kysely
      .updateTable('announcement_variants')
      .set({ status: 'processing' })
      .where('announcement_id', '=', id)
      .execute();

    await h.runtime.jobs.drain();
    const failed = await version(id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/^Không xử lý được âm thanh/);
    expect(await jobOf(id)).toMatchObject({ status: 'failed', attempts: JOB_MAX_ATTEMPTS + 1 });

    const again = await retry(id);
    expect(again.status, await again.clone().text()).toBeLessThan(300);
    await h.runtime.jobs.drain();
    expect(await version(id)).toMatchObject({ status: 'ready', error: null });
  });

  it('stays ready when a run whose lease ran out ends in an error after another run made it', async () => {
    const id = await typed('Lịch cắt điện');
    await h.runtime.jobs.drain();
    expect(await version(id)).toMatchObject({ status: 'ready' });
    const made = await h.runtime.db.kysely
      .selectFrom('announcement_variants')
      .select('id')
      .where('announcement_id', '=', id)
      .executeTakeFirstOrThrow();
    // The first run, stalled while the database was away, ends now with an error on its last attempt.
    const job = await jobOf(id);
    await h.runtime.services.audio.finishVariant(
      { id: made.id, announcementId: id },
      { jobId: job.id, attempt: 1, maxAttempts: JOB_MAX_ATTEMPTS, lastAttempt: true },
      new Error('ffmpeg was killed'),
    );
    expect(await version(id)).toMatchObject({ status: 'ready', error: null });
    const after = await h.request(`/api/v1/announcements/${id}`, { token: h.tokens.secretary });
    expect(((await after.json()) as { status: string }).status).toBe('ready');
  });
});
