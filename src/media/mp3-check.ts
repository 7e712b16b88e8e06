import './no-web-worker.js';
import { MPEGDecoder } from 'mpg123-decoder';
import type { AudioTargets } from '../domain/commune.js';
import type { AudioRejection } from '../domain/ports/audio.js';
import { createLoudnessMeter, type LoudnessReading } from './loudness-meter.js';
import { createPcmCollector } from './pcm.js';
import { rejections } from './rejection.js';
import { DEFAULT_AUDIO_LIMITS, type AudioLimits } from './targets.js';

/**
 * How far the integrated loudness of audio processed elsewhere may sit from the target: the spec's
 * ±0.5 LU (DESIGN, "Audio targets"), the window the server pipeline's own output is held to.
 */
export const PROCESSED_TOLERANCE_LU = 0.5;

/** An MP3 measured as the receivers will hear it. */
export interface Mp3Measure {
  readonly durationMs: number;
  readonly channels: number;
  readonly sampleRate: number;
  readonly loudness: LoudnessReading;
  readonly peaks: readonly number[];
}

export interface Mp3CheckOptions {
  /**
   * mpg123 compiled ahead of time (`mpg123.wasm`, imported as a module by the Worker): Workers refuse to
   * compile WebAssembly from bytes at run time, which is how the package loads it elsewhere.
   */
  readonly wasm?: WebAssembly.Module | undefined;
  readonly limits?: AudioLimits;
}

// Input is fed in slices of the decoder's own input buffer, so a long file is never decoded whole into
// memory: a 3-minute MP3 is 32 MB of float samples, a quarter of a Worker's memory.
const SLICE = 1 << 16;
// The bytes kept to find the first frame: an ID3v2 tag past this is not what the pipeline writes (ffmpeg's
// is some 40 bytes), and a file read as a stream is never held whole for the sake of its tag.
const MAX_HEAD = 1 << 20;

/** How many of the first bytes `firstFrame` needs: the ID3v2 tag's length, then 4 KB to find a frame in. */
function headBytes(first: Uint8Array): number {
  if (first.length < 10) return 10;
  return id3Length(first) + 4096 + 4;
}

/** The input in slices of at most `SLICE` bytes, whether it came whole or as a stream. */
async function* slices(input: Uint8Array | AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const chunks = input instanceof Uint8Array ? [input] : input;
  for await (const chunk of chunks) {
    for (let at = 0; at < chunk.length; at += SLICE) yield chunk.subarray(at, at + SLICE);
  }
}

function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  const whole = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    whole.set(part, at);
    at += part.length;
  }
  return whole;
}

/** The first bytes of a stream, as many as `firstFrame` needs (or all there is); null past `MAX_HEAD`. */
async function readHead(source: AsyncIterator<Uint8Array>): Promise<Uint8Array | null> {
  const parts: Uint8Array[] = [];
  let length = 0;
  let need = 10;
  for (let sized = false; length < need;) {
    const next = await source.next();
    if (next.done) break;
    parts.push(next.value);
    length += next.value.length;
    if (!sized && length >= 10) {
      sized = true;
      need = headBytes(concat(parts, length));
      if (need > MAX_HEAD) return null;
    }
  }
  return concat(parts, length);
}

/**
 * Decodes an MP3 with mpg123 (WebAssembly) and measures it with Loa's BS.1770 meter as it decodes.
 * Returns a rejection for what is not an MP3 with audio in it, or longer than the limits. A stream is
 * read once, a slice at a time, and left unread past a rejection.
 */
export async function measureMp3(
  input: Uint8Array | AsyncIterable<Uint8Array>,
  options: Mp3CheckOptions = {},
): Promise<
  | { readonly ok: true; readonly measure: Mp3Measure }
  | { readonly ok: false; readonly rejection: AudioRejection }
> {
  const source = slices(input);
  try {
    return await measureSlices(source, options);
  } finally {
    await source.return(undefined);
  }
}

async function measureSlices(
  source: AsyncGenerator<Uint8Array>,
  options: Mp3CheckOptions,
): Promise<
  | { readonly ok: true; readonly measure: Mp3Measure }
  | { readonly ok: false; readonly rejection: AudioRejection }
> {
  const head = await readHead(source);
  const header = head && firstFrame(head);
  // Receivers play a mono MPEG Layer III file: anything else is not what the pipeline makes.
  if (!header || header.layer !== 3 || !header.mono)
    return { ok: false, rejection: rejections.notProcessedCodec() };
  if (options.wasm) (MPEGDecoder as unknown as { module?: WebAssembly.Module }).module = options.wasm;
  const limits = options.limits ?? DEFAULT_AUDIO_LIMITS;
  const decoder = new MPEGDecoder();
  await decoder.ready;
  try {
    let meter: ReturnType<typeof createLoudnessMeter> | undefined;
    const waveform = createPcmCollector();
    let sampleRate = 0;
    let samples = 0;
    let errors = 0;
    for await (const slice of slices(withHead(head!, source))) {
      const decoded = decoder.decode(slice);
      errors += decoded.errors.length;
      if (decoded.samplesDecoded === 0) continue;
      if (!meter) {
        sampleRate = decoded.sampleRate;
        meter = createLoudnessMeter(sampleRate);
      }
      if (decoded.sampleRate !== sampleRate) return { ok: false, rejection: rejections.notProcessedCodec() };
      const mono = decoded.channelData[0]!.subarray(0, decoded.samplesDecoded);
      meter.push(mono);
      waveform.push(mono);
      samples += decoded.samplesDecoded;
      if ((samples / sampleRate) * 1000 > limits.maxDurationMs) {
        return {
          ok: false,
          rejection: rejections.tooLong((samples / sampleRate) * 1000, limits.maxDurationMs, {
            atLeast: true,
          }),
        };
      }
    }
    // A file of MP3 frames that decode to nothing, or to more damage than audio, is not a processed file.
    if (!meter || samples === 0 || errors > samples / 1152 / 10) {
      return { ok: false, rejection: rejections.notProcessedCodec() };
    }
    return {
      ok: true,
      measure: {
        durationMs: Math.round((samples / sampleRate) * 1000),
        channels: 1,
        sampleRate,
        loudness: meter.finish(),
        peaks: waveform.finish().peaks,
      },
    };
  } finally {
    decoder.free();
  }
}

/**
 * Whether a measured MP3 is what the pipeline would have made for the commune: integrated loudness
 * within ±0.5 LU of the target and true peak at or under the ceiling. Null when it is.
 */
export function offTarget(measure: Mp3Measure, targets: AudioTargets): AudioRejection | null {
  const { integratedLufs, truePeakDbtp } = measure.loudness;
  if (
    Math.abs(integratedLufs - targets.integratedLufs) <= PROCESSED_TOLERANCE_LU &&
    truePeakDbtp <= targets.truePeakDbtp
  ) {
    return null;
  }
  return rejections.notProcessedLevel(
    { integratedLufs, truePeakDbtp },
    {
      integratedLufs: targets.integratedLufs,
      truePeakDbtp: targets.truePeakDbtp,
      toleranceLu: PROCESSED_TOLERANCE_LU,
    },
  );
}

/** The head read first, then the rest of the stream. */
async function* withHead(head: Uint8Array, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield head;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

/** The length of an ID3v2 tag at the start (0 without one): a 10-byte header, a syncsafe size, a footer. */
function id3Length(bytes: Uint8Array): number {
  if (!(bytes[0] === 0x49 && bytes[1] === 0x44 && bytes[2] === 0x33 && bytes.length >= 10)) return 0;
  const size =
    ((bytes[6]! & 0x7f) << 21) | ((bytes[7]! & 0x7f) << 14) | ((bytes[8]! & 0x7f) << 7) | (bytes[9]! & 0x7f);
  return 10 + size + ((bytes[5]! & 0x10) !== 0 ? 10 : 0);
}

/**
 * The first MPEG audio frame header after an ID3v2 tag: its layer and whether it is mono (channel
 * mode 3). mpg123 gives a mono file two identical channels, so the header is what tells.
 */
export function firstFrame(bytes: Uint8Array): { readonly layer: 1 | 2 | 3; readonly mono: boolean } | null {
  let at = id3Length(bytes);
  // A few bytes of padding may sit between the tag and the first frame; further than that is not MP3.
  for (const end = Math.min(bytes.length - 4, at + 4096); at <= end; at++) {
    if (bytes[at] !== 0xff || (bytes[at + 1]! & 0xe0) !== 0xe0) continue;
    const layerBits = (bytes[at + 1]! >> 1) & 0x03;
    const bitrate = bytes[at + 2]! >> 4;
    const rate = (bytes[at + 2]! >> 2) & 0x03;
    if (layerBits === 0 || bitrate === 0x0f || rate === 0x03) continue;
    return { layer: (4 - layerBits) as 1 | 2 | 3, mono: bytes[at + 3]! >> 6 === 3 };
  }
  return null;
}
