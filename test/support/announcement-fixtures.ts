import type { Harness } from './harness.js';

/**
 * An approved, ready announcement of the example commune whose only version is an MP3 already in the
 * media store (`sha256`): the same bytes another announcement uses, as a province bulletin's copy does.
 * The asset's row is written when this database has none.
 */
export async function announcementWithAudio(
  h: Harness,
  id: string,
  audio: { readonly sha256: string; readonly bytes: number },
): Promise<void> {
  const repo = h.runtime.repos.announcements;
  const now = h.clock.now().toISOString();
  const { sha256 } = audio;
  await repo.saveAsset(
    {
      sha256,
      format: 'mp3',
      bytes: audio.bytes,
      durationMs: 1000,
      integratedLufs: -16,
      truePeakDbtp: -1.5,
      lraLu: 3,
      sourceCodec: 'mp3',
      sourceDurationMs: 1000,
      sourceLufs: null,
      peaks: [0.5],
    },
    now,
  );
  await repo.insertAnnouncement(
    {
      id,
      communeId: 'coc-san',
      hamletId: null,
      title: `Bản sao ${id}`,
      category: 'general',
      createdBy: h.userIds.officer,
      approval: 'approved',
    },
    now,
  );
  await repo.insertVariant(
    id,
    {
      id: `${id}-vi`,
      language: 'vi',
      sourceKind: 'upload',
      sourceKey: null,
      sourceName: null,
      text: null,
      voice: null,
      approval: 'approved',
      inspection: null,
    },
    now,
  );
  await repo.setVariantAudio(`${id}-vi`, sha256, null, now);
  await repo.setAnnouncementStatus(id, 'ready', null, now);
}
