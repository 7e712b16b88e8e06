import { calibrateLevelling, type RunFfmpeg } from './levelling.js';
import { createLoudnessMeter, type LoudnessReading } from './loudness-meter.js';
import {
  firstEncoding,
  LEVELLED_BIAS_DB,
  levelledAimLufs,
  planCorrection,
  SILENT_LUFS,
  silenceThresholdDb,
  trimSpan,
  type Correction,
} from './loudness-plan.js';
import { firstAbove, lastAbove } from './pcm.js';
import {
  buildAnalysisArgs,
  buildEncodeArgs,
  COMMON,
  TO_WORK_FORMAT,
  type LevellingSettings,
  type TrimSpan,
} from './pipeline-args.js';
import { decodeCapMs, DEFAULT_AUDIO_LIMITS, WORK_SAMPLE_RATE, type EncodingTargets } from './targets.js';

/**
 * ffmpeg as the browser has it (`@ffmpeg/ffmpeg`: WebAssembly in a Web Worker, files in its memory): run
 * with arguments and give the log, and files written and read by name.
 */
export interface InMemoryFfmpeg {
  readonly run: RunFfmpeg;
  writeFile(path: string, bytes: Uint8Array): Promise<void>;
  readFile(path: string): Promise<Uint8Array>;
  deleteFile(path: string): Promise<void>;
}

/** What the browser made: the MP3 to upload, measured as the server would. */
export interface BrowserProcessed {
  readonly mp3: Uint8Array;
  readonly durationMs: number;
  readonly sourceDurationMs: number;
  readonly loudness: LoudnessReading;
}

/** Why the browser could not make it: the page then sends the recording as it is. */
export class BrowserProcessingError extends Error {
  override readonly name = 'BrowserProcessingError';
  constructor(
    message: string,
    readonly reason: 'silent' | 'too_long' | 'unreadable',
  ) {
    super(message);
  }
}

/** Samples of a WAV file's data chunk as 32-bit float (the source decoded to the working format). */
function wavFloats(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
    const size = view.getUint32(at + 4, true);
    if (id === 'data') {
      const n = Math.floor(Math.min(size, bytes.length - at - 8) / 4);
      return new Float32Array(bytes.slice(at + 8, at + 8 + n * 4).buffer);
    }
    at += 8 + size + (size % 2);
  }
  return new Float32Array(0);
}

/** The loudness of the first 30 s, as the upload check measures the head of a file on the server. */
function headLoudness(samples: Float32Array): number | undefined {
  const meter = createLoudnessMeter(WORK_SAMPLE_RATE, { truePeak: false });
  meter.push(samples.subarray(0, 30 * WORK_SAMPLE_RATE));
  const lufs = meter.finish().integratedLufs;
  return lufs > SILENT_LUFS ? lufs : undefined;
}

function s16Floats(bytes: Uint8Array): Float32Array {
  const n = bytes.length >> 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, n * 2);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true) / 32768;
  return out;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;
const round1Up = (n: number): number => Math.ceil(n * 10 - 1e-9) / 10;

/**
 * The server pipeline's steps, run by ffmpeg in the browser with the same argument builders and the same
 * meter: decode to mono 48 kHz, find the levelling on excerpts, level to the float intermediate and
 * measure it, trim silent edges, encode the MP3 at the computed gain, decode it and measure, and correct
 * once when it is off by more than 0.3 LU. The Worker measures the result again before it takes it.
 *
 * @param onStage called as each step starts, for the page's progress ("decode", "level", "encode" …)
 */
export async function processInBrowser(
  ff: InMemoryFfmpeg,
  input: { readonly bytes: Uint8Array; readonly name: string },
  targets: EncodingTargets,
  onStage: (stage: 'decode' | 'level' | 'encode' | 'verify') => void = () => undefined,
): Promise<BrowserProcessed> {
  const ext = /\.([a-z0-9]{1,5})$/i.exec(input.name)?.[1] ?? 'bin';
  const source = `/in.${ext}`;
  const decoded = '/source.wav';
  const intermediatePath = '/levelled.f32';
  const maxS = decodeCapMs(DEFAULT_AUDIO_LIMITS) / 1000;
  await ff.writeFile(source, input.bytes);
  try {
    onStage('decode');
    // One decode of the upload into the working format, which every later pass reads instead.
    const decodeArgs = [...COMMON, '-t', String(maxS), '-i', source, '-map', '0:a:0', '-af', TO_WORK_FORMAT];
    await ff.run([...decodeArgs, '-c:a', 'pcm_f32le', '-f', 'wav', '-y', decoded]);
    const samples = wavFloats(await ff.readFile(decoded));
    if (samples.length === 0) throw new BrowserProcessingError('no audio could be decoded', 'unreadable');
    const sourceDurationMs = (samples.length / WORK_SAMPLE_RATE) * 1000;
    if (sourceDurationMs > DEFAULT_AUDIO_LIMITS.maxDurationMs) {
      throw new BrowserProcessingError('longer than the limit', 'too_long');
    }
    await ff.deleteFile(source);

    onStage('level');
    const calibration = await calibrateLevelling(
      ff.run,
      decoded,
      { durationMs: sourceDurationMs },
      headLoudness(samples),
      targets,
    );
    let { levelling } = calibration;
    const analyse = async (l: LevellingSettings) => {
      await ff.run(buildAnalysisArgs({ input: decoded, levelling: l, intermediatePath, maxS }));
      const raw = await ff.readFile(intermediatePath);
      const levelled = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength >> 2);
      const meter = createLoudnessMeter(WORK_SAMPLE_RATE, { truePeak: false });
      meter.push(levelled);
      return { levelled, loudness: meter.finish() };
    };
    let analysed = await analyse(levelling);
    const shortBy = levelledAimLufs(targets) - LEVELLED_BIAS_DB - analysed.loudness.integratedLufs;
    if (shortBy > 0 && analysed.loudness.integratedLufs > SILENT_LUFS) {
      levelling = {
        ...levelling,
        makeupDb: (levelling.makeupDb ?? 0) + Math.min(10, (shortBy + LEVELLED_BIAS_DB) / calibration.slope),
      };
      analysed = await analyse(levelling);
    }
    await ff.deleteFile(decoded);
    const threshold = 10 ** (silenceThresholdDb(levelling) / 20);
    const first = firstAbove(analysed.levelled, threshold);
    if (analysed.loudness.integratedLufs < SILENT_LUFS || first < 0) {
      throw new BrowserProcessingError('the recording is silent', 'silent');
    }
    const last = lastAbove(analysed.levelled, threshold);
    const span: TrimSpan = trimSpan(
      first / WORK_SAMPLE_RATE,
      (last + 1) / WORK_SAMPLE_RATE,
      analysed.levelled.length / WORK_SAMPLE_RATE,
    );

    const encode = async (numbers: Correction) => {
      onStage('encode');
      const outputs = { mp3: '/audio.mp3' };
      await ff.run(buildEncodeArgs({ intermediatePath, span, targets, outputs, ...numbers }));
      onStage('verify');
      await ff.run([
        ...COMMON,
        '-i',
        outputs.mp3,
        '-ac',
        '1',
        '-f',
        's16le',
        '-c:a',
        'pcm_s16le',
        '-y',
        '/verify.raw',
      ]);
      const meter = createLoudnessMeter(targets.mp3SampleRate);
      meter.push(s16Floats(await ff.readFile('/verify.raw')));
      await ff.deleteFile('/verify.raw');
      const m = meter.finish();
      return {
        mp3: await ff.readFile(outputs.mp3),
        loudness: m,
        verified: {
          format: 'mp3' as const,
          integratedLufs: round1(m.integratedLufs),
          truePeakDbtp: round1Up(m.truePeakDbtp),
          lraLu: round1(m.lraLu),
          samples: m.samples,
        },
      };
    };
    const plan = firstEncoding(analysed.loudness.integratedLufs, targets);
    let made = await encode(plan);
    const correction = planCorrection([made.verified], plan, targets);
    if (correction) made = await encode(correction);
    return {
      mp3: made.mp3,
      durationMs: Math.round(span.durationS * 1000),
      sourceDurationMs: Math.round(sourceDurationMs),
      loudness: made.loudness,
    };
  } finally {
    for (const path of [source, decoded, intermediatePath, '/audio.mp3'])
      await ff.deleteFile(path).catch(() => undefined);
  }
}
