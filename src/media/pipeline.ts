import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { decodingFor, type FfmpegBinaries } from './ffmpeg-binaries.js';
import type { AcceptedAudio } from '../domain/ports/audio.js';
import { inspectAudio } from './inspect.js';
import { findLoudEdges, writeLevelled, type Levelled } from './intermediate.js';
import { calibrateLevelling } from './levelling.js';
import {
  firstEncoding,
  LEVELLED_BIAS_DB,
  levelledAimLufs,
  planCorrection,
  silenceThresholdDb,
  SILENT_LUFS,
  trimSpan,
  type Correction,
  type OutputMeasurement,
} from './loudness-plan.js';
import { createLoudnessMeter } from './loudness-meter.js';
import { createPcmCollector, createS16Reader } from './pcm.js';
import {
  buildEncodeArgs,
  buildVerifyArgs,
  type EncodeOutputs,
  type LevellingSettings,
  type TrimSpan,
} from './pipeline-args.js';
import { AudioRejectedError, rejections } from './rejection.js';
import { runTool } from './runner.js';
import { writing } from './storage-full.js';
import {
  DEFAULT_AUDIO_LIMITS,
  DEFAULT_ENCODING_TARGETS,
  MIN_DURATION_MS,
  type AudioLimits,
  type EncodingTargets,
} from './targets.js';

export interface LoudnessFigures {
  readonly integratedLufs: number;
  readonly truePeakDbtp: number;
  readonly lraLu: number;
}

export interface ProcessedOutput {
  readonly format: 'mp3' | 'opus';
  /** Measured on the file as written (decoded again). */
  readonly loudness: LoudnessFigures;
  /** In `workDir`; the caller moves it into the media store. */
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly durationMs: number;
}

export interface PipelineResult {
  readonly source: {
    readonly codec: string;
    readonly durationMs: number;
    readonly channels: number;
    readonly sampleRate: number;
    /**
     * Measured after the downmix to mono and the band filter, on the whole file up to 40 s, else
     * on six 5 s excerpts spread over it; −70 when they are silent.
     */
    readonly integratedLufs: number;
  };
  /** Duration after trimming the silent edges. */
  readonly durationMs: number;
  /** Measured on the MP3 as written (decoded again). */
  readonly loudness: LoudnessFigures;
  /** 400 points, 0..1, for a waveform. */
  readonly peaks: readonly number[];
  readonly outputs: readonly ProcessedOutput[];
}

export interface ProcessAudioInput {
  readonly input: string;
  /** A folder of the job's own; outputs are written there, the work file is removed. */
  readonly workDir: string;
  readonly targets?: EncodingTargets;
  readonly limits?: AudioLimits;
  readonly binaries: FfmpegBinaries;
  /** The check made when the file was uploaded; without it the file is checked first. */
  readonly inspection?: AcceptedAudio | null | undefined;
  readonly signal?: AbortSignal;
  /** Receives the numbers of each step (levelling, measurements, correction) for the job log. */
  readonly log?: (step: string, data: Readonly<Record<string, unknown>>) => void;
}

interface Verified extends OutputMeasurement {
  readonly samples: number;
  readonly peaks?: readonly number[];
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Decodes one written output and measures it; the MP3 also yields the waveform. The output was cut
 * from the intermediate as `maxS` seconds: decoding stops there.
 */
async function verifyOutput(
  binaries: FfmpegBinaries,
  format: keyof EncodeOutputs,
  path: string,
  sampleRate: number,
  maxS: number,
  signal: AbortSignal | undefined,
): Promise<Verified> {
  const meter = createLoudnessMeter(sampleRate);
  const waveform = createPcmCollector();
  const read = createS16Reader((samples) => {
    meter.push(samples);
    if (format === 'mp3') waveform.push(samples);
  });
  await runTool(binaries.ffmpeg, buildVerifyArgs(path, { maxS }), { signal, onStdout: read });
  const m = meter.finish();
  return {
    format,
    integratedLufs: round1(m.integratedLufs),
    truePeakDbtp: round1Up(m.truePeakDbtp),
    lraLu: round1(m.lraLu),
    samples: m.samples,
    ...(format === 'mp3' ? { peaks: waveform.finish().peaks } : {}),
  };
}

const round1 = (n: number): number => Math.round(n * 10) / 10;
/** Peaks are rounded up, so a reported figure never hides an overshoot. */
const round1Up = (n: number): number => Math.ceil(n * 10 - 1e-9) / 10;

async function encodeAndVerify(
  p: ProcessAudioInput & { readonly targets: EncodingTargets },
  intermediatePath: string,
  span: TrimSpan,
  outputs: EncodeOutputs,
  numbers: Correction,
): Promise<readonly Verified[]> {
  const args = buildEncodeArgs({ intermediatePath, span, targets: p.targets, outputs, ...numbers });
  await runTool(p.binaries.ffmpeg, args, { signal: p.signal });
  // An encoder adds at most a frame or two of padding to the span it was given.
  const maxS = span.durationS + 1;
  const mp3 = await verifyOutput(p.binaries, 'mp3', outputs.mp3, p.targets.mp3SampleRate, maxS, p.signal);
  const opus = outputs.opus
    ? await verifyOutput(p.binaries, 'opus', outputs.opus, 48000, maxS, p.signal)
    : undefined;
  return opus ? [mp3, opus] : [mp3];
}

/**
 * Turns an upload into broadcast audio: validate (ffprobe, limits, a quick decode of its first and
 * last seconds), find the levelling on excerpts, decode once to mono 48 kHz, band-limit to speech
 * (80 Hz–9 kHz), level (leveller, make-up gain, limiter), measure, trim silent edges, bring to the
 * target loudness, encode MP3 (and Opus), then decode what was written and measure it again; if it
 * is off target by more than 0.3 LU, or over the true-peak ceiling, encode once more with the
 * measured error taken out.
 *
 * Every decode of the input stops a little past `limits.maxDurationMs` of decoded audio whatever its
 * header claims, so a file that lies about its length is refused as `too_long` and never makes
 * more than the limit's worth of work files.
 *
 * Costs about 1.7× a plain decode + encode of the same file (`bench/audio.bench.ts`); no
 * `loudnorm`, whose 192 kHz resampling costs 5–6×.
 *
 * @throws AudioRejectedError when the input is refused (its `rejection` says why, in Vietnamese)
 * @throws StorageFullError when a work file or an output could not be written for want of space
 *   (never a rejection: the input is fine, the work can be tried again)
 * @example
 * const result = await processAudio({ input, workDir, binaries: await resolveFfmpeg(process.env) });
 * result.outputs[0] // { format: 'mp3', path, sha256, bytes, durationMs }
 */
export async function processAudio(input: ProcessAudioInput): Promise<PipelineResult> {
  const p = { ...input, targets: input.targets ?? DEFAULT_ENCODING_TARGETS };
  const { binaries, targets, workDir, signal } = p;

  const limits = p.limits ?? DEFAULT_AUDIO_LIMITS;
  // Checked once, at the upload; every full decode below still stops at the limit of real decoded time.
  const inspection = p.inspection ?? (await inspectAudio({ input: p.input, binaries, limits }));
  if (!inspection.ok) throw new AudioRejectedError(inspection.rejection);
  const { probe } = inspection;
  // An inspection stored at an upload made before the shortest length was a rule.
  if (probe.durationMs < MIN_DURATION_MS) throw new AudioRejectedError(rejections.tooShort(MIN_DURATION_MS));
  const decoding = await decodingFor(binaries, probe.codec);

  await writing('making a work folder', () => mkdir(workDir, { recursive: true }));
  const intermediatePath = join(workDir, 'levelled.f32');
  const analyse = (levelling: LevellingSettings): Promise<Levelled> =>
    writeLevelled({ binaries, input: p.input, levelling, intermediatePath, limits, decoding, signal });
  try {
    const calibration = await calibrateLevelling(
      (args) => runTool(binaries.ffmpeg, args, { signal }),
      p.input,
      probe,
      inspection.headLufs,
      targets,
      decoding,
    );
    let { levelling } = calibration;
    p.log?.('levelling', { headLufs: inspection.headLufs, slope: calibration.slope, ...levelling });
    let { loudness: levelled, decodedMs } = await analyse(levelling);
    const shortBy = levelledAimLufs(targets) - LEVELLED_BIAS_DB - levelled.integratedLufs;
    if (shortBy > 0 && levelled.integratedLufs > SILENT_LUFS) {
      // The excerpts promised more than the whole file gives: level again rather than let the
      // encoding boost past the limiter's ceiling (a second analysis costs a third of an encoding).
      levelling = {
        ...levelling,
        makeupDb: (levelling.makeupDb ?? 0) + Math.min(10, (shortBy + LEVELLED_BIAS_DB) / calibration.slope),
      };
      p.log?.('relevelling', { levelled, makeupDb: levelling.makeupDb });
      ({ loudness: levelled, decodedMs } = await analyse(levelling));
    }

    const edges = await findLoudEdges(intermediatePath, silenceThresholdDb(levelling));
    // A decoder that drops the silence frames of discontinuous transmission leaves out a final
    // pause: that is not a cut (see `isCutShort`), and the stream's own duration is the source's.
    const cut = decodedMs < probe.durationMs - Math.max(1000, probe.durationMs * 0.03);
    if (cut && !decoding.dropsSilenceFrames) throw new AudioRejectedError(rejections.truncated());
    const sourceMs = decoding.dropsSilenceFrames ? Math.max(decodedMs, probe.durationMs) : decodedMs;
    if (levelled.integratedLufs < SILENT_LUFS || edges.firstLoudS === undefined) {
      throw new AudioRejectedError(rejections.silent());
    }

    const span = trimSpan(edges.firstLoudS, edges.lastLoudS, edges.totalS);
    p.log?.('analysis', { sourceLufs: calibration.sourceLufs, levelled, edges, span });
    const outputs: EncodeOutputs = {
      mp3: join(workDir, 'audio.mp3'),
      ...(targets.opus ? { opus: join(workDir, 'audio.opus') } : {}),
    };
    const first = firstEncoding(levelled.integratedLufs, targets);
    let verified = await encodeAndVerify(p, intermediatePath, span, outputs, first);
    p.log?.('encoded', { ...first, verified: verified.map(({ peaks: _, ...v }) => v) });
    const correction = planCorrection(verified, first, targets);
    if (correction) {
      verified = await encodeAndVerify(p, intermediatePath, span, outputs, correction);
      p.log?.('corrected', { ...correction, verified: verified.map(({ peaks: _, ...v }) => v) });
    }

    const mp3 = verified.find((v) => v.format === 'mp3');
    if (!mp3) throw new Error('no MP3 was verified');
    const written = await Promise.all(
      verified.map(async (v): Promise<ProcessedOutput> => {
        const path = v.format === 'mp3' ? outputs.mp3 : (outputs.opus ?? '');
        const rate = v.format === 'mp3' ? targets.mp3SampleRate : 48000;
        return {
          format: v.format,
          loudness: { integratedLufs: v.integratedLufs, truePeakDbtp: v.truePeakDbtp, lraLu: v.lraLu },
          path,
          sha256: await sha256Of(path),
          bytes: (await stat(path)).size,
          durationMs: Math.round((v.samples / rate) * 1000),
        };
      }),
    );

    return {
      source: {
        codec: probe.codec,
        durationMs: Math.round(sourceMs),
        channels: probe.channels,
        sampleRate: probe.sampleRate,
        integratedLufs: calibration.sourceLufs ?? inspection.headLufs ?? -70,
      },
      durationMs: Math.round(span.durationS * 1000),
      loudness: { integratedLufs: mp3.integratedLufs, truePeakDbtp: mp3.truePeakDbtp, lraLu: mp3.lraLu },
      peaks: mp3.peaks ?? [],
      outputs: written,
    };
  } finally {
    await rm(intermediatePath, { force: true });
  }
}
