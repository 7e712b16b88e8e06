import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { buildPacketScanArgs } from './decoding.js';
import type { FfmpegBinaries } from './ffmpeg-binaries.js';
import { parseProgressTimeMs } from './ffmpeg-output.js';
import { rejections, type AudioRejection } from './rejection.js';
import { runTool, ToolRunError } from './runner.js';
import {
  decodeCapMs,
  DEFAULT_AUDIO_LIMITS,
  MIN_DURATION_MS,
  reachedDecodeCap,
  type AudioLimits,
} from './targets.js';

import type { SourceProbe } from '../domain/ports/audio.js';

export type { SourceProbe };

/** The outcome of probing a file, before any limit is applied. */
export type ProbeResult =
  | { readonly kind: 'audio'; readonly probe: SourceProbe }
  | { readonly kind: 'empty' }
  | { readonly kind: 'unreadable'; readonly detail: string }
  | {
      readonly kind: 'no_audio';
      readonly looksLike: 'image' | 'video' | 'other';
      readonly formatName: string;
    };

const numberish = z.union([z.string(), z.number()]).optional();

const ffprobeSchema = z.object({
  streams: z
    .array(
      z.looseObject({
        codec_type: z.string().optional(),
        codec_name: z.string().optional(),
        channels: z.number().optional(),
        sample_rate: numberish,
        duration: numberish,
        bit_rate: numberish,
        nb_frames: numberish,
        disposition: z.looseObject({ attached_pic: z.number().optional() }).optional(),
      }),
    )
    .default([]),
  format: z
    .looseObject({
      format_name: z.string().optional(),
      duration: numberish,
      bit_rate: numberish,
    })
    .optional(),
});

/** ffprobe's JSON (`-print_format json -show_format -show_streams`), only the fields used here. */
export type FfprobeJson = z.infer<typeof ffprobeSchema>;

function num(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : Number.parseFloat(value);
  return Number.isFinite(n) ? n : undefined;
}

const IMAGE_FORMATS = /(^|,)(image2|\w+_pipe|gif|webp|apng)(,|$)/;
const IMAGE_CODECS = new Set(['png', 'mjpeg', 'jpeg2000', 'bmp', 'gif', 'webp', 'tiff', 'apng']);

/**
 * Turns ffprobe's JSON into a {@link ProbeResult}. Pure.
 *
 * @param facts.scannedDurationMs the duration found by reading every packet, for streams whose
 *   header carries none (a browser's MediaRecorder writes WebM without one) or only an estimate
 *   from the bit rate (raw AMR); it wins over the header's
 */
export function toProbeResult(
  json: unknown,
  facts: { readonly scannedDurationMs?: number } = {},
): ProbeResult {
  const parsed = ffprobeSchema.safeParse(json);
  if (!parsed.success) return { kind: 'unreadable', detail: 'ffprobe output not understood' };
  const { streams, format } = parsed.data;
  const formatName = format?.format_name ?? 'unknown';
  const audio = streams.find((s) => s.codec_type === 'audio');

  if (!audio) {
    const pictures = streams.filter((s) => s.codec_type === 'video');
    const still =
      IMAGE_FORMATS.test(formatName) ||
      (pictures.length > 0 &&
        pictures.every((s) => IMAGE_CODECS.has(s.codec_name ?? '') || s.disposition?.attached_pic === 1));
    return {
      kind: 'no_audio',
      looksLike: still ? 'image' : pictures.length > 0 ? 'video' : 'other',
      formatName,
    };
  }

  const channels = audio.channels ?? 0;
  const sampleRate = num(audio.sample_rate) ?? 0;
  if (!audio.codec_name || channels < 1 || sampleRate < 1) {
    return {
      kind: 'unreadable',
      detail: `audio stream without codec, channels or sample rate (${formatName})`,
    };
  }
  const seconds = num(audio.duration) ?? num(format?.duration);
  const scanned = facts.scannedDurationMs;
  const durationMs = scanned ?? (seconds !== undefined ? Math.round(seconds * 1000) : undefined);
  if (durationMs === undefined) return { kind: 'unreadable', detail: 'duration unknown' };
  const bitRate = num(audio.bit_rate) ?? num(format?.bit_rate);
  return {
    kind: 'audio',
    probe: {
      codec: audio.codec_name,
      formatName,
      durationMs,
      channels,
      sampleRate,
      ...(bitRate !== undefined ? { bitRate } : {}),
      ...(scanned !== undefined ? { durationFrom: 'packets' as const } : {}),
    },
  };
}

/**
 * Whether the duration must be counted from the packets: ffprobe found none, or only guessed it
 * from the bit rate of the first packets and the file size, as it does for raw AMR, whose pauses
 * are sent in 1-byte frames (a 52 s recording with 15 s of pauses was put at 38 s; one starting with
 * a pause is put at many times its length). Pure.
 *
 * @param ffprobeLog what ffprobe printed on stderr at `-v warning`
 */
export function needsPacketScan(json: FfprobeJson, ffprobeLog: string): boolean {
  const audio = json.streams.find((s) => s.codec_type === 'audio');
  if (audio === undefined) return false;
  if (num(audio.duration) === undefined && num(json.format?.duration) === undefined) return true;
  return ffprobeLog.includes('Estimating duration from bitrate');
}

/** Reads every packet of the first audio stream without decoding, up to `maxS`: fast, and exact. */
async function scanDurationMs(
  binaries: FfmpegBinaries,
  input: string,
  maxS: number,
): Promise<number | undefined> {
  const result = await runTool(binaries.ffmpeg, buildPacketScanArgs(input, maxS), { timeoutMs: 120_000 });
  return parseProgressTimeMs(result.stdout);
}

/**
 * Runs ffprobe on a file. A file ffprobe cannot open is `unreadable`, not an exception;
 * a spawn failure (no ffprobe) still throws. A duration the header does not give, or only guesses,
 * is counted from the packets, up to a little past `limits.maxDurationMs`.
 */
export async function probeFile(
  binaries: FfmpegBinaries,
  input: string,
  limits: AudioLimits = DEFAULT_AUDIO_LIMITS,
): Promise<ProbeResult> {
  const size = (await stat(input)).size;
  if (size === 0) return { kind: 'empty' };
  let stdout: string;
  let log: string;
  try {
    const args = ['-v', 'warning', '-print_format', 'json', '-show_format', '-show_streams', input];
    ({ stdout, stderr: log } = await runTool(binaries.ffprobe, args, { timeoutMs: 60_000 }));
  } catch (error) {
    if (error instanceof ToolRunError && error.exitCode !== null) {
      return { kind: 'unreadable', detail: error.stderrTail };
    }
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    return { kind: 'unreadable', detail: 'ffprobe printed no JSON' };
  }
  const parsed = ffprobeSchema.safeParse(json);
  if (parsed.success && needsPacketScan(parsed.data, log)) {
    const maxS = decodeCapMs(limits) / 1000;
    const scannedDurationMs = await scanDurationMs(binaries, input, maxS).catch(() => undefined);
    return toProbeResult(json, scannedDurationMs !== undefined ? { scannedDurationMs } : {});
  }
  return toProbeResult(json);
}

export type ProbeVerdict =
  | { readonly ok: true; readonly probe: SourceProbe }
  | { readonly ok: false; readonly rejection: AudioRejection };

/**
 * Decides from a probe alone whether an input can be accepted. Pure.
 *
 * @example validateProbe({ kind: 'audio', probe }, { maxDurationMs: 90 * 60_000, maxChannels: 8 })
 */
export function validateProbe(result: ProbeResult, limits: AudioLimits = DEFAULT_AUDIO_LIMITS): ProbeVerdict {
  switch (result.kind) {
    case 'empty':
      return { ok: false, rejection: rejections.empty() };
    case 'unreadable':
      return { ok: false, rejection: rejections.unreadable() };
    case 'no_audio':
      return { ok: false, rejection: rejections.noAudio(result.looksLike) };
    case 'audio': {
      const { probe } = result;
      if (probe.channels > limits.maxChannels) {
        return { ok: false, rejection: rejections.tooManyChannels(probe.channels, limits.maxChannels) };
      }
      if (probe.durationMs > limits.maxDurationMs) {
        // A count stops past the limit: what it reached is a lower bound, not the length.
        const atLeast = probe.durationFrom !== undefined && reachedDecodeCap(probe.durationMs, limits);
        return {
          ok: false,
          rejection: rejections.tooLong(probe.durationMs, limits.maxDurationMs, { atLeast }),
        };
      }
      if (probe.durationMs <= 0) return { ok: false, rejection: rejections.silent() };
      if (probe.durationMs < MIN_DURATION_MS) {
        return { ok: false, rejection: rejections.tooShort(MIN_DURATION_MS) };
      }
      return { ok: true, probe };
    }
  }
}
