/**
 * What a process does before `kill -9` takes it: an upload arriving and an audio job running, both
 * in the media store at `argv[2]` (the job on the kept source `argv[3]`). Run by
 * `test/media/file-store.test.ts` with `node --import tsx`.
 */
import { createNodeAudioWork } from '../../src/media/audio-work.node.js';
import { resolveFfmpeg } from '../../src/media/ffmpeg-binaries.js';
import { createFileMediaStore } from '../../src/media/file-store.node.js';
import { DEFAULT_ENCODING_TARGETS } from '../../src/media/targets.js';
import { createEspeakEngine } from '../../src/media/tts/espeak.js';

const [root, key] = process.argv.slice(2);
if (!root || !key) throw new Error('usage: killed-audio-job.ts <media root> <source key>');
const media = createFileMediaStore(root);
const upload = await media.beginUpload();
await upload.write(new Uint8Array(64 * 1024).fill(1));
const work = createNodeAudioWork({ binaries: resolveFfmpeg(process.env), media, tts: createEspeakEngine() });
await work.process({ kind: 'file', key }, DEFAULT_ENCODING_TARGETS);
