/**
 * Test inputs made on the spot from espeak-ng speech, shaped with ffmpeg and sox into what
 * secretaries upload (quiet phone recordings, clipped ones, old-phone AMR, browser WebM, studio
 * WAV, multichannel FLAC) and into what must be refused. Each is 5–20 s long.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, truncate, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createEspeakEngine } from '../../src/media/tts/espeak.js';
import { binaries, encodeAmrNb, speakTo } from '../support/tools.js';

const run = promisify(execFile);

/** About 17 s of speech at espeak-ng's pace. */
export const SPEECH_TEXT =
  'Thông báo của Ủy ban nhân dân xã Cốc San. Để chủ động phòng chống dịch bệnh cho đàn gia súc, ' +
  'gia cầm trong mùa đông xuân, xã tổ chức tiêm phòng vắc xin lở mồm long móng và dịch tả lợn cho ' +
  'toàn bộ đàn vật nuôi. Đề nghị bà con các thôn nhốt giữ gia súc tại chuồng vào buổi sáng để cán bộ ' +
  'thú y đến tiêm. Xin trân trọng thông báo.';

export type GoodFixture =
  | 'tts'
  | 'quietPhone'
  | 'clippedHot'
  | 'amrNb'
  | 'webmStereoLeadingSilence'
  | 'wav24bit96kDcOffset'
  | 'flac6ch'
  | 'changingLevels';

export type BadFixture =
  | 'empty'
  | 'pngAsMp3'
  | 'pdf'
  | 'truncatedMp3'
  | 'truncatedM4a'
  | 'truncatedM4aFaststart'
  | 'wavHeaderGarbage'
  | 'videoNoAudio'
  | 'twelveChannels'
  | 'threeHours';

export interface FixtureFactory {
  readonly dir: string;
  /** Path of a fixture, made on first use. */
  get(name: GoodFixture | BadFixture): Promise<string>;
  cleanup(): Promise<void>;
}

async function ffmpeg(...args: string[]): Promise<void> {
  await run(binaries.ffmpeg, ['-nostdin', '-hide_banner', '-v', 'error', '-y', ...args], {
    maxBuffer: 1 << 24,
  });
}

async function integratedLufs(path: string): Promise<number> {
  const { stderr } = await run(binaries.ffmpeg, [
    '-nostdin',
    '-hide_banner',
    '-i',
    path,
    '-af',
    'ebur128=framelog=verbose',
    '-f',
    'null',
    '-',
  ]);
  const m = /I:\s+(-?[\d.]+) LUFS/.exec(stderr);
  if (!m?.[1]) throw new Error(`no loudness for ${path}`);
  return Number(m[1]);
}

/** Deterministic noise bytes: the same garbage on every run. */
function pseudoRandomBytes(n: number, seed = 12345): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const PNG_1PX = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082',
  'hex',
);
const PDF =
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n';

/** Creates a fixture factory over a fresh temp folder. */
export async function createFixtures(): Promise<FixtureFactory> {
  const dir = await mkdtemp(join(tmpdir(), 'loa-media-fixtures-'));
  const made = new Map<string, Promise<string>>();
  const at = (file: string): string => join(dir, file);

  const speech = async (): Promise<string> => {
    const path = at('speech.wav');
    speakTo(path, SPEECH_TEXT, 175);
    return path;
  };

  const recipes: Record<GoodFixture | BadFixture, () => Promise<string>> = {
    tts: async () => {
      const wav = await createEspeakEngine().synthesize(
        `${SPEECH_TEXT} Hạn chót ngày 15/12/2026, gọi 0912 345 678.`,
        {
          voice: 'vi',
        },
      );
      await writeFile(at('tts.wav'), wav);
      return at('tts.wav');
    },
    quietPhone: async () => {
      const src = await get('speech');
      const gain = -35 - (await integratedLufs(src));
      await ffmpeg(
        '-i',
        src,
        '-af',
        `volume=${gain.toFixed(2)}dB`,
        '-ar',
        '44100',
        '-c:a',
        'aac',
        '-b:a',
        '64k',
        at('quiet-phone.m4a'),
      );
      return at('quiet-phone.m4a');
    },
    clippedHot: async () => {
      // 18 dB too hot into 16-bit: every loud syllable is flattened at full scale.
      await ffmpeg(
        '-i',
        await get('speech'),
        '-af',
        'volume=18dB',
        '-ar',
        '44100',
        '-c:a',
        'pcm_s16le',
        at('clipped-hot.wav'),
      );
      return at('clipped-hot.wav');
    },
    amrNb: async () => {
      await encodeAmrNb(await get('speech'), at('old-phone.amr'));
      return at('old-phone.amr');
    },
    webmStereoLeadingSilence: async () => {
      await ffmpeg(
        '-i',
        await get('speech'),
        '-af',
        'adelay=5000,volume=-8dB,aresample=48000',
        '-ac',
        '2',
        '-c:a',
        'libopus',
        '-b:a',
        '48k',
        at('browser.webm'),
      );
      return at('browser.webm');
    },
    wav24bit96kDcOffset: async () => {
      await ffmpeg(
        '-i',
        await get('speech'),
        '-af',
        'volume=-6dB,aresample=96000,dcshift=0.2',
        '-c:a',
        'pcm_s24le',
        at('studio-96k.wav'),
      );
      return at('studio-96k.wav');
    },
    flac6ch: async () => {
      await ffmpeg(
        '-i',
        await get('speech'),
        '-af',
        'volume=-12dB,aresample=48000',
        '-ac',
        '6',
        '-c:a',
        'flac',
        at('surround.flac'),
      );
      return at('surround.flac');
    },
    changingLevels: async () => {
      // A near talker, then a far one 12 dB quieter, then in between: 11 LU of loudness range.
      await ffmpeg(
        '-i',
        await get('speech'),
        '-af',
        "volume='if(lt(t,6),1,if(lt(t,12),0.25,0.5))':eval=frame",
        at('changing.wav'),
      );
      return at('changing.wav');
    },

    empty: async () => {
      await writeFile(at('empty.mp3'), new Uint8Array(0));
      return at('empty.mp3');
    },
    pngAsMp3: async () => {
      await writeFile(at('picture.mp3'), PNG_1PX);
      return at('picture.mp3');
    },
    pdf: async () => {
      await writeFile(at('notice.pdf'), PDF);
      return at('notice.pdf');
    },
    truncatedMp3: async () => {
      await ffmpeg('-i', await get('speech'), '-ar', '44100', '-b:a', '64k', at('cut.mp3'));
      await truncate(at('cut.mp3'), Math.floor((await stat(at('cut.mp3'))).size / 2));
      return at('cut.mp3');
    },
    truncatedM4a: async () => {
      // As phones write it: the index (moov) at the end, so the cut file has none.
      await ffmpeg('-i', await get('speech'), '-c:a', 'aac', '-b:a', '64k', at('cut.m4a'));
      await truncate(at('cut.m4a'), Math.floor((await stat(at('cut.m4a'))).size / 2));
      return at('cut.m4a');
    },
    truncatedM4aFaststart: async () => {
      // Index first: ffprobe reads it and promises the whole duration, the data stops halfway.
      await ffmpeg(
        '-i',
        await get('speech'),
        '-c:a',
        'aac',
        '-b:a',
        '64k',
        '-movflags',
        '+faststart',
        at('cut-fast.m4a'),
      );
      await truncate(at('cut-fast.m4a'), Math.floor((await stat(at('cut-fast.m4a'))).size / 2));
      return at('cut-fast.m4a');
    },
    wavHeaderGarbage: async () => {
      const header = (await readFile(await get('speech'))).subarray(0, 44);
      const body = pseudoRandomBytes(22050 * 2 * 8);
      const wav = Buffer.concat([header, body]);
      wav.writeUInt32LE(36 + body.length, 4);
      wav.writeUInt32LE(body.length, 40);
      await writeFile(at('garbage.wav'), wav);
      return at('garbage.wav');
    },
    videoNoAudio: async () => {
      await ffmpeg(
        '-f',
        'lavfi',
        '-i',
        'testsrc=d=5:s=160x120:r=10',
        '-c:v',
        'libx264',
        '-pix_fmt',
        'yuv420p',
        at('silent-film.mp4'),
      );
      return at('silent-film.mp4');
    },
    twelveChannels: async () => {
      const tone = Array<string>(12).fill('0.1*sin(440*2*PI*t)').join('|');
      await ffmpeg('-f', 'lavfi', '-i', `aevalsrc=${tone}:s=8000:d=5`, at('twelve.wav'));
      return at('twelve.wav');
    },
    threeHours: async () => {
      // Digital silence compresses to almost nothing in FLAC and encodes in about a second.
      await ffmpeg(
        '-f',
        'lavfi',
        '-i',
        'anullsrc=r=8000:cl=mono',
        '-t',
        '10800',
        '-c:a',
        'flac',
        at('three-hours.flac'),
      );
      return at('three-hours.flac');
    },
  };

  function get(name: GoodFixture | BadFixture | 'speech'): Promise<string> {
    let pending = made.get(name);
    if (!pending) {
      pending = name === 'speech' ? speech() : recipes[name]();
      made.set(name, pending);
    }
    return pending;
  }

  return { dir, get, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
