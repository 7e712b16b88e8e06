/**
 * ffmpeg as data: pure builders of every argument list the audio pipeline runs. The runner
 * executes them; `pipeline.ts` decides the numbers in between.
 *
 * Passes (see DESIGN.md, "Audio targets"):
 * 1. decode check: the first seconds (noise, loudness estimate) and the last seconds (truncation),
 *    in `decode-check-args.ts`;
 * 2. trials of the levelling on excerpts, to find its make-up gain;
 * 3. analysis: decode once → mono 48 kHz → high-pass → pre-gain → leveller → make-up gain →
 *    limiter, written as a raw float intermediate, then measured;
 * 4. encode: trim → gain (→ limiter, only if the gain is a boost) → MP3 (and Opus);
 * 5. verify: decode what was written and measure it (in `loudness-meter.ts`).
 */
import { decoderArgs, gapFilling, type SourceDecoding } from './decoding.js';
import { WORK_SAMPLE_RATE, type EncodingTargets } from './targets.js';

/** Options every run starts with: no keyboard, no banner, no progress line on stderr. */
export const COMMON = ['-nostdin', '-hide_banner', '-nostats'] as const;

/** Filter instance names; the parsers in `ffmpeg-output.ts` find summaries by them. */
export const FILTER_IDS = {
  headStats: 'astats@head',
  headLoudness: 'ebur128@head',
  tailStats: 'astats@tail',
  trial: 'ebur128@trial',
  source: 'ebur128@source',
} as const;

/** Loudness of frames is logged at `verbose`, below the default level: only the summary is printed. */
export const EBUR128 = 'framelog=verbose';

const fixed = (n: number, digits = 3): string => n.toFixed(digits);
const dbToLinear = (db: number): number => 10 ** (db / 20);

/** Decodes to the working format: one pass of the resampler does the downmix and the rate. */
export const TO_WORK_FORMAT = `aformat=sample_fmts=dbl:sample_rates=${WORK_SAMPLE_RATE}:channel_layouts=mono`;
/**
 * The band kept: rumble, handling noise and DC offset sit below 80 Hz, which horn speakers cannot
 * play anyway; above 9 kHz (also beyond a horn) sit the hiss bursts of fricatives, where LAME at
 * 64 kbit/s adds the most noise: cutting them halves the true-peak overshoot of the MP3
 * (measured: 3.3 dB → 1.5 dB over the limiter's ceiling).
 */
export const SPEECH_BAND = 'highpass=f=80,lowpass=f=9000';

/**
 * The leveller that keeps the loudness range of speech small for outdoor horn speakers: ffmpeg's
 * `dynaudnorm` evens out the level over a few seconds (250 ms frames, Gaussian over 15 of them),
 * raising quiet sentences by at most `maxGainDb` and lowering loud ones; syllables keep their
 * shape. Measured against `acompressor` (3:1, 3 ms attack): 11.5 LU of sentence-to-sentence
 * changes come out at 3.9 LU instead of 6.4, for a sixth of the CPU time.
 */
export interface LevellerSettings {
  readonly frameMs: number;
  readonly gaussFrames: number;
  /** Frame peak it levels towards, linear. */
  readonly peak: number;
  readonly maxGainDb: number;
}

/** Leveller settings; the same for every target since the make-up gain comes after it. */
export function levellerFor(_targets: EncodingTargets): LevellerSettings {
  return { frameMs: 250, gaussFrames: 15, peak: 0.9, maxGainDb: 12 };
}

export function levellerFilter(l: LevellerSettings): string {
  return `dynaudnorm=f=${l.frameMs}:g=${l.gaussFrames}:p=${l.peak}:m=${fixed(dbToLinear(l.maxGainDb), 3)}`;
}

/** Look-ahead sample-peak limiter; level=0, or alimiter rescales its output to reach 0 dBFS. */
export function limiterFilter(ceilingDb: number): string {
  return `alimiter=limit=${fixed(dbToLinear(ceilingDb), 5)}:attack=5:release=50:level=0`;
}

/** How a source is levelled: pre-gain, leveller, make-up gain and limiter, all before measuring. */
export interface LevellingSettings {
  readonly preGainDb: number;
  readonly leveller: LevellerSettings;
  /** Undefined while calibrating the leveller alone, on the first seconds. */
  readonly makeupDb?: number;
  readonly ceilingDb?: number;
}

export function levellingFilters(l: LevellingSettings): string[] {
  return [
    `volume=${fixed(l.preGainDb, 2)}dB`,
    levellerFilter(l.leveller),
    ...(l.makeupDb !== undefined ? [`volume=${fixed(l.makeupDb, 2)}dB`] : []),
    ...(l.ceilingDb !== undefined ? [limiterFilter(l.ceilingDb)] : []),
  ];
}

/** A span of the source, in seconds. */
export interface Excerpt {
  readonly startS: number;
  readonly durationS: number;
}

/**
 * Where the levelling trials listen: the whole file when it is short, else six excerpts spread
 * over it (a recording often starts differently from how it goes on; measured on a 10-minute
 * file of six voices, three excerpts missed the whole file's levelled loudness by 0.4 LU, six by
 * 0.1–0.2 LU).
 *
 * @example trialExcerpts(600_000) // [{ startS: 30, durationS: 5 }, { startS: 120, … }, … { startS: 480, … }]
 */
export function trialExcerpts(durationMs: number, excerptS = 5): readonly Excerpt[] {
  const totalS = durationMs / 1000;
  if (totalS <= excerptS * 8) return [{ startS: 0, durationS: totalS }];
  return [0.05, 0.2, 0.35, 0.5, 0.65, 0.8].map((at) => ({
    startS: Math.round(totalS * at * 1000) / 1000,
    durationS: excerptS,
  }));
}

/**
 * A trial of levelling on excerpts of the source, all from one decode: the source's loudness
 * (`ebur128@source`), the leveller's output (`ebur128@trial0`), and for each candidate make-up
 * gain the loudness after make-up and limiter (`ebur128@trial1`…). Leveller and limiter change
 * the loudness by amounts that depend on the speech; this run finds the make-up gain that lands
 * the whole file near its aim.
 */
export function buildTrialArgs(
  input: string,
  excerpts: readonly Excerpt[],
  levelling: LevellingSettings,
  makeupsDb: readonly number[],
  decoding: SourceDecoding = {},
): readonly string[] {
  const inputs = excerpts.flatMap((e) => [
    ...decoderArgs(decoding),
    '-ss',
    fixed(e.startS),
    '-t',
    fixed(e.durationS),
    '-i',
    input,
  ]);
  const fill = gapFilling(decoding);
  const prepared = excerpts.map((_, i) => `[${i}:a:0]${fill}${TO_WORK_FORMAT}[x${i}]`).join(';');
  const joined =
    excerpts.length === 1
      ? '[x0]'
      : `${excerpts.map((_, i) => `[x${i}]`).join('')}concat=n=${excerpts.length}:v=0:a=1,`;
  const shared = [
    SPEECH_BAND,
    `${FILTER_IDS.source}=${EBUR128}`,
    ...levellingFilters({ preGainDb: levelling.preGainDb, leveller: levelling.leveller }),
  ].join(',');
  const ceiling = levelling.ceilingDb ?? 0;
  const branches = [
    `[s0]${FILTER_IDS.trial}0=${EBUR128}[t0]`,
    ...makeupsDb.map(
      (m, i) =>
        `[s${i + 1}]volume=${fixed(m, 2)}dB,${limiterFilter(ceiling)},${FILTER_IDS.trial}${i + 1}=${EBUR128}[t${i + 1}]`,
    ),
  ];
  const splits = Array.from({ length: branches.length }, (_, i) => `[s${i}]`).join('');
  const graph = `${prepared};${joined}${shared},asplit=${branches.length}${splits};${branches.join(';')}`;
  const outputs = branches.map((_, i) => ['-map', `[t${i}]`, '-f', 'null', '-']);
  return [...COMMON, ...inputs, '-filter_complex', graph, ...outputs.flat()];
}

/**
 * The analysis pass: decode once, bring to the working format, level (pre-gain, leveller,
 * make-up gain, limiter) and write the result as raw 32-bit
 * float mono 48 kHz, the input of every encoding.
 *
 * Leveller and limiter sit before the measurement of this intermediate (`measureIntermediate`),
 * so the encoding gain computed from it is exact: with make-up set a little hot, that gain is a small cut that the limiter of the
 * encoding pass never has to act on, and only the codec changes the loudness after it.
 */
export function buildAnalysisArgs(p: {
  readonly input: string;
  readonly levelling: LevellingSettings;
  readonly intermediatePath: string;
  /**
   * Where decoding stops, seconds: `-t` on the input stops reading at that time, and `-fs` holds the
   * intermediate to that many seconds of samples should the input's timestamps lie too.
   */
  readonly maxS: number;
  readonly decoding?: SourceDecoding;
}): readonly string[] {
  const filter =
    gapFilling(p.decoding) + [TO_WORK_FORMAT, SPEECH_BAND, ...levellingFilters(p.levelling)].join(',');
  return [
    ...COMMON,
    ...decoderArgs(p.decoding),
    '-t',
    fixed(p.maxS),
    '-i',
    p.input,
    '-map',
    '0:a:0',
    '-af',
    filter,
    '-fs',
    String(intermediateBytes(p.maxS)),
    '-c:a',
    'pcm_f32le',
    '-f',
    'f32le',
    '-y',
    p.intermediatePath,
  ];
}

/** Size of `seconds` of the levelled intermediate (32-bit float, mono, 48 kHz), bytes. */
export function intermediateBytes(seconds: number): number {
  return Math.ceil(seconds * WORK_SAMPLE_RATE) * 4;
}

/** The span of the intermediate to keep, in seconds, after trimming silent edges. */
export interface TrimSpan {
  readonly startS: number;
  readonly durationS: number;
}

/** Output files of one encoding pass. */
export interface EncodeOutputs {
  readonly mp3: string;
  readonly opus?: string;
}

export interface EncodePlan {
  readonly intermediatePath: string;
  readonly span: TrimSpan;
  /** Gain applied before the limiter, dB. */
  readonly gainDb: number;
  /**
   * Sample-peak ceiling of a limiter, dBFS, or none: the levelled intermediate is already limited,
   * and a gain that is a cut cannot raise a peak.
   */
  readonly ceilingDb: number | undefined;
  /** Extra gain on the Opus branch, dB: the two codecs lose different amounts of loudness. */
  readonly opusTrimDb: number;
  readonly targets: EncodingTargets;
  readonly outputs: EncodeOutputs;
}

/** Edge fades, so that a cut in low noise made audible by the gain does not click. */
const FADE_S = 0.02;

/**
 * The encoding pass: trimmed span of the intermediate → gain (→ limiter) → MP3 mono (resampled to
 * the receivers' rate) and, when asked, Opus at 48 kHz from the same limited signal.
 */
export function buildEncodeArgs(p: EncodePlan): readonly string[] {
  const { span, targets } = p;
  const fadeOutAt = Math.max(0, span.durationS - FADE_S);
  const shared = [
    `volume=${fixed(p.gainDb, 2)}dB`,
    ...(p.ceilingDb !== undefined ? [limiterFilter(p.ceilingDb)] : []),
    `afade=t=in:d=${FADE_S}`,
    `afade=t=out:st=${fixed(fadeOutAt)}:d=${FADE_S}`,
  ].join(',');
  const graph = p.outputs.opus
    ? `[0:a]${shared},asplit=2[m][o];[m]aresample=${targets.mp3SampleRate}[mp3];` +
      `[o]volume=${fixed(p.opusTrimDb, 2)}dB[opus]`
    : `[0:a]${shared},aresample=${targets.mp3SampleRate}[mp3]`;
  // Deterministic files (no encoder tag, no source metadata): same audio, same SHA-256.
  const clean = ['-map_metadata', '-1', '-fflags', '+bitexact', '-flags:a', '+bitexact'];
  return [
    ...COMMON,
    '-f',
    'f32le',
    '-ar',
    String(WORK_SAMPLE_RATE),
    '-ac',
    '1',
    '-ss',
    fixed(span.startS),
    '-t',
    fixed(span.durationS),
    '-i',
    p.intermediatePath,
    '-filter_complex',
    graph,
    '-map',
    '[mp3]',
    '-c:a',
    'libmp3lame',
    '-b:a',
    `${targets.mp3BitrateK}k`,
    '-ar',
    String(targets.mp3SampleRate),
    '-ac',
    '1',
    ...clean,
    '-f',
    'mp3',
    '-y',
    p.outputs.mp3,
    ...(p.outputs.opus
      ? [
          '-map',
          '[opus]',
          '-c:a',
          'libopus',
          '-b:a',
          `${targets.opusBitrateK}k`,
          '-application',
          'voip',
          // Complexity 10 (the default) costs twice a whole MP3 encoding for no audible gain on speech.
          '-compression_level',
          '5',
          '-ar',
          '48000',
          '-ac',
          '1',
          ...clean,
          '-f',
          'ogg',
          '-y',
          p.outputs.opus,
        ]
      : []),
  ];
}

/**
 * The verification pass: decode an output as written to mono 16-bit PCM on stdout, where
 * `loudness-meter.ts` measures it (and `pcm.ts` draws its waveform) as it streams by. Packets are
 * not flushed one by one: in 32 kB writes the pipe costs a third as much.
 *
 * @param opts.maxS where decoding stops, seconds (the outputs are cut from a capped intermediate,
 *   so this only holds should an encoder misbehave)
 */
export function buildVerifyArgs(input: string, opts: { readonly maxS?: number } = {}): readonly string[] {
  return [
    ...COMMON,
    '-v',
    'error',
    '-i',
    input,
    '-map',
    '0:a:0',
    ...(opts.maxS !== undefined ? ['-t', fixed(opts.maxS)] : []),
    '-c:a',
    'pcm_s16le',
    '-ac',
    '1',
    '-flush_packets',
    '0',
    '-f',
    's16le',
    'pipe:1',
  ];
}

/** The reference the speed requirement is stated against: a plain decode + encode. */
export function buildBaselineArgs(
  input: string,
  output: string,
  targets: EncodingTargets,
): readonly string[] {
  return [
    ...COMMON,
    '-i',
    input,
    '-ac',
    '1',
    '-ar',
    String(targets.mp3SampleRate),
    '-b:a',
    `${targets.mp3BitrateK}k`,
    '-y',
    output,
  ];
}
