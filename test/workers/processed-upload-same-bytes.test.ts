import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defaultAudioTargets } from '../../src/domain/commune.js';
import type { ProcessedAudio } from '../../src/domain/ports/audio.js';
import { createProcessedIntake } from '../../src/media/processed-intake.js';
import { workersSha256 } from '../../src/media/sha256-stream.js';
import mpg123 from '../../src/media/mpg123.wasm';
import { assetsOf } from '../../src/services/audio.service.js';
import { createHarness, type Harness } from './support/harness.js';
import { storedMp3, taggedMp3 } from './support/tagged-mp3.js';

const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

/**
 * Two secretaries send the very same levelled MP3 at once (one forwarded the other's file): it is one
 * object in R2. One upload is refused and lets its file go while the other commits; the one that committed
 * must not be left pointing at nothing, whichever of the two moments comes first.
 */
describe('two uploads of the same processed MP3, one refused as the other commits', () => {
  let h: Harness;
  const mp3 = bytes(inject('edgeAudio').processedMp3);
  /**
   * While set, the intake's next "is it saved?" tells `read` once it has read the answer, and gives it
   * only once `until` resolves: an answer on its way while other things happen.
   */
  let held: { read: () => void; until: Promise<void> } | undefined;
  let intake: ReturnType<typeof createProcessedIntake>;

  beforeAll(async () => {
    h = await createHarness();
    const { media, repos } = h.runtime;
    // Wired as the Worker wires it, over the test's R2 bucket and D1 database.
    intake = createProcessedIntake({
      open: (key) => media.openUpload(key),
      sha256: workersSha256,
      putAsset: (key, ext, expected) => media.putAssetFromUpload(key, ext, expected),
      removeAsset: (sha256, ext) => media.removeAsset(sha256, ext),
      isSaved: async (sha256) => {
        const hold = held;
        held = undefined;
        const saved = await repos.announcements.isAssetSaved(sha256);
        if (hold) {
          hold.read();
          await hold.until;
        }
        return saved;
      },
      wasm: mpg123,
    });
  });
  afterAll(() => h.close());

  /** The file as the browser sends it: an upload in R2, taken by the intake. */
  async function upload(file: Uint8Array): Promise<ProcessedAudio> {
    const target = await h.runtime.media.beginUpload();
    await target.write(file);
    await target.finish();
    return intake.take(target.key, defaultAudioTargets);
  }
  /** What the use case's unit of work saves with a version that plays this audio. */
  const commit = async (audio: ProcessedAudio) => {
    for (const asset of assetsOf(audio))
      await h.runtime.repos.announcements.saveAsset(asset, h.clock.now().toISOString());
  };

  it('puts the file back after its commit when the refused upload removed it first', async () => {
    const file = taggedMp3(mp3, 64);
    const refused = await upload(file);
    const committed = await upload(file);
    expect(await storedMp3(file)).not.toBeNull();

    await intake.release(refused);
    expect(await storedMp3(file), 'no saved content used it yet').toBeNull();
    await commit(committed);
    await intake.release(committed);
    expect(await storedMp3(file)).not.toBeNull();
  });

  it('puts the file back when the other commits between the refused upload’s check and its removal', async () => {
    const file = taggedMp3(mp3, 80);
    const refused = await upload(file);
    const committed = await upload(file);

    // The refused upload asks whether saved content uses the file; while the answer ("no") is on its way,
    // the other commits and is released, finding its file there.
    let answer!: () => void;
    const read = new Promise<void>((resolve) => {
      held = { read: resolve, until: new Promise((until) => (answer = until)) };
    });
    const releasing = intake.release(refused);
    await read;
    await commit(committed);
    await intake.release(committed);
    answer();
    await releasing;
    expect(await storedMp3(file)).not.toBeNull();
  });

  it('still removes the file of a refused upload that nothing saved', async () => {
    const file = taggedMp3(mp3, 96);
    await intake.release(await upload(file));
    expect(await storedMp3(file)).toBeNull();
  });
});
