/**
 * Inputs made to defeat the limits or the decoder: files whose header claims one second but whose
 * frames last minutes (an MP3 with its Xing/Info frame count patched, a FLAC with its STREAMINFO
 * sample count patched), and an AMR-NB phone recording with discontinuous transmission, whose
 * pauses are silence-descriptor (SID) and NO_DATA frames.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { binaries, speakTo } from '../support/tools.js';
import { SPEECH_TEXT } from './fixtures.js';

const run = promisify(execFile);

async function ffmpeg(...args: string[]): Promise<void> {
  await run(binaries.ffmpeg, ['-nostdin', '-hide_banner', '-v', 'error', '-y', ...args], {
    maxBuffer: 1 << 24,
  });
}

async function speech(dir: string): Promise<string> {
  const path = join(dir, 'crafted-speech.wav');
  speakTo(path, SPEECH_TEXT, 175);
  return path;
}

/** Looped speech, `realS` seconds of it, as a file whose header claims `claimS`. */
export interface LyingHeader {
  readonly claimS: number;
  readonly realS: number;
}

/** An MP3 whose Xing/Info header counts the frames of `claimS` seconds. */
export async function mp3WithLyingHeader(dir: string, { claimS, realS }: LyingHeader): Promise<string> {
  const path = join(dir, `claims-${claimS}s-holds-${realS}s.mp3`);
  const src = await speech(dir);
  await ffmpeg('-stream_loop', '-1', '-i', src, '-t', String(realS), '-ar', '44100', '-b:a', '64k', path);
  const bytes = await readFile(path);
  // The Xing/Info tag sits in the first frame; flag bit 0 says a frame count follows the flags.
  const at = [bytes.indexOf('Xing'), bytes.indexOf('Info')].find((i) => i >= 0 && i < 4096);
  if (at === undefined) throw new Error('ffmpeg wrote no Xing/Info header');
  const flags = bytes.readUInt32BE(at + 4);
  if ((flags & 1) === 0) throw new Error('the Xing/Info header carries no frame count');
  bytes.writeUInt32BE(Math.ceil((claimS * 44100) / 1152), at + 8);
  await writeFile(path, bytes);
  return path;
}

/** A FLAC whose STREAMINFO holds the sample count of `claimS` seconds. */
export async function flacWithLyingHeader(dir: string, { claimS, realS }: LyingHeader): Promise<string> {
  const path = join(dir, `claims-${claimS}s-holds-${realS}s.flac`);
  const src = await speech(dir);
  await ffmpeg('-stream_loop', '-1', '-i', src, '-t', String(realS), '-ar', '16000', '-c:a', 'flac', path);
  const bytes = await readFile(path);
  if (bytes.toString('latin1', 0, 4) !== 'fLaC') throw new Error('not a FLAC file');
  // STREAMINFO follows the 4-byte block header; bytes 10..17 of it hold 20 bits of sample rate,
  // 3 of channels, 5 of bits per sample and 36 of total samples.
  const packed = bytes.readBigUInt64BE(8 + 10);
  const sampleRate = packed >> 44n;
  const totalMask = (1n << 36n) - 1n;
  bytes.writeBigUInt64BE((packed & ~totalMask) | (BigInt(claimS) * sampleRate), 8 + 10);
  await writeFile(path, bytes);
  return path;
}

/** An AMR-NB recording as sox writes it, and how many of each frame type it holds. */
export interface AmrRecording {
  readonly path: string;
  /** The same frames in a 3GP container. */
  readonly in3gp: string;
  /** Every frame lasts 20 ms, whether it carries speech, a silence descriptor or nothing. */
  readonly durationMs: number;
  readonly speechFrames: number;
  /** Silence descriptors (frame type 8): comfort noise parameters sent during pauses. */
  readonly sidFrames: number;
  /** Frame type 15: nothing sent at all between descriptors. */
  readonly noDataFrames: number;
  /** Where the speech ends, before the trailing pause, in seconds. */
  readonly speechEndS: number;
  /** Where the speech begins, after the leading pause, in seconds. */
  readonly speechStartS: number;
}

/** Bytes after the frame header for each AMR-NB frame type (3GPP TS 26.101, storage format). */
const AMR_NB_FRAME_BYTES = [12, 13, 15, 17, 19, 20, 26, 31, 5, 0, 0, 0, 0, 0, 0, 0] as const;

/** Counts the frame types of an AMR-NB file in the RFC 4867 storage format. */
export function amrFrames(bytes: Uint8Array): { speech: number; sid: number; noData: number } {
  const magic = '#!AMR\n';
  if (Buffer.from(bytes.subarray(0, magic.length)).toString('latin1') !== magic) {
    throw new Error('not an AMR-NB file');
  }
  const counts = { speech: 0, sid: 0, noData: 0 };
  for (let i = magic.length; i < bytes.length;) {
    const type = ((bytes[i] ?? 0) >> 3) & 15;
    if (type <= 7) counts.speech++;
    else if (type === 8) counts.sid++;
    else counts.noData++;
    i += 1 + AMR_NB_FRAME_BYTES[type]!;
  }
  return counts;
}

/**
 * A phone recording with discontinuous transmission: 2 s of silence, speech, a 10 s pause, the same
 * speech again, and 5 s of silence, made by sox (whose AMR-NB writer switches DTX on).
 */
export async function amrWithPauses(dir: string): Promise<AmrRecording> {
  const src = await speech(dir);
  const at = (name: string): string => join(dir, name);
  await run('sox', [src, '-r', '8000', '-c', '1', at('dtx-speech.wav')]);
  const { stdout } = await run('soxi', ['-D', at('dtx-speech.wav')]);
  const speechS = Number(stdout.trim());
  await run('sox', [at('dtx-speech.wav'), at('dtx-first.wav'), 'pad', '2', '10']);
  await run('sox', [at('dtx-first.wav'), at('dtx-speech.wav'), at('dtx-both.wav'), 'pad', '0', '5']);
  // sox picks the codec by extension: `.amr-nb`; phones name the file `.amr`.
  await run('sox', [at('dtx-both.wav'), at('dtx.amr-nb')]);
  const bytes = await readFile(at('dtx.amr-nb'));
  await writeFile(at('dtx.amr'), bytes);
  // The same frames in a 3GP, as phones also write them: its index gives the duration.
  await ffmpeg('-i', at('dtx.amr'), '-c', 'copy', at('dtx.3gp'));
  const frames = amrFrames(bytes);
  return {
    path: at('dtx.amr'),
    in3gp: at('dtx.3gp'),
    durationMs: (frames.speech + frames.sid + frames.noData) * 20,
    speechFrames: frames.speech,
    sidFrames: frames.sid,
    noDataFrames: frames.noData,
    speechStartS: 2,
    speechEndS: 2 + speechS + 10 + speechS,
  };
}
