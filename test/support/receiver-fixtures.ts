import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Harness } from './harness.js';
import { binaries } from './tools.js';

let counter = 0;

/** A real short MP3 (a sine tone) made by ffmpeg, with its duration as ffprobe measures it. */
export function makeTone(seconds: number, frequency: number): { file: string; durationMs: number } {
  const file = join(mkdtempSync(join(tmpdir(), 'loa-tone-')), `tone-${++counter}.mp3`);
  execFileSync(binaries.ffmpeg, [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=${frequency}:duration=${seconds}`,
    '-ac',
    '1',
    '-ar',
    '44100',
    '-b:a',
    '64k',
    '-y',
    file,
  ]);
  const probed = execFileSync(binaries.ffprobe, [
    '-v',
    'error',
    '-show_entries',
    'format=duration',
    '-of',
    'csv=p=0',
    file,
  ]);
  return { file, durationMs: Math.round(Number(probed.toString().trim()) * 1000) };
}

export interface FixtureAnnouncement {
  readonly id: string;
  readonly variants: readonly { language: string; sha256: string; bytes: number; durationMs: number }[];
}

/** A version as an upload stores it, before its audio: approved unless said otherwise. */
export const uploadedVariant = (
  id: string,
  language: string,
  approval: 'approved' | 'pending' = 'approved',
) => ({
  id,
  language,
  approval,
  sourceKind: 'upload' as const,
  sourceKey: null,
  sourceName: null,
  text: null,
  voice: null,
  inspection: null,
});

/**
 * An approved announcement whose variants are ready, stored as the audio pipeline would store them:
 * real MP3 files in the media store and their asset rows. Stands in for upload + processing.
 */
export async function createReadyAnnouncement(
  h: Harness,
  title: string,
  variants: readonly { language: string; seconds: number; frequency?: number }[],
  options: { readonly category?: string } = {},
): Promise<FixtureAnnouncement> {
  const repo = h.runtime.repos.announcements;
  const now = h.clock.now().toISOString();
  const id = `ann-${++counter}`;
  const made: { language: string; sha256: string; bytes: number; durationMs: number }[] = [];
  for (const [i, v] of variants.entries()) {
    const tone = makeTone(v.seconds, v.frequency ?? 440 + 110 * counter);
    const { sha256, bytes } = await h.runtime.media.putAsset(tone.file, 'mp3');
    await repo.saveAsset(
      {
        sha256,
        format: 'mp3',
        bytes,
        durationMs: tone.durationMs,
        integratedLufs: -16,
        truePeakDbtp: -1.5,
        lraLu: 3,
        sourceCodec: 'mp3',
        sourceDurationMs: tone.durationMs,
        sourceLufs: null,
        peaks: [0.5],
      },
      now,
    );
    const variant = uploadedVariant(`${id}-v${i}`, v.language);
    if (i === 0) {
      await repo.insertAnnouncement(
        {
          id,
          communeId: 'coc-san',
          hamletId: null,
          title,
          category: options.category ?? 'general',
          createdBy: h.userIds.officer,
          approval: 'pending',
        },
        now,
      );
    }
    await repo.insertVariant(id, variant, now);
    await repo.setVariantAudio(variant.id, sha256, null, now);
    made.push({ language: v.language, sha256, bytes, durationMs: tone.durationMs });
  }
  await repo.setAnnouncementStatus(id, 'ready', null, now);
  await repo.setApproval(id, 'approved', null, h.userIds.officer, now);
  return { id, variants: made };
}

/** Schedules through the real API; returns the created occurrences. */
export async function scheduleBroadcast(
  h: Harness,
  body: Record<string, unknown>,
  token: string = h.tokens.officer,
): Promise<{ id: string; occurrences: { id: string; hamletId: string; at: string; durationMs: number }[] }> {
  const res = await h.request('/api/v1/broadcasts', { method: 'POST', token, json: body });
  if (res.status !== 201) throw new Error(`schedule failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as never;
}

/** A new receiver in `hamletId`, with its device token. */
export async function createDevice(h: Harness, hamletId: string, name = `Cụm loa ${++counter}`) {
  const res = await h.request('/api/v1/receivers', {
    method: 'POST',
    token: h.tokens.admin,
    json: { hamletId, name },
  });
  if (res.status !== 201) throw new Error(`create receiver failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { receiver: { id: string }; token: string };
  return { id: body.receiver.id, token: body.token };
}
