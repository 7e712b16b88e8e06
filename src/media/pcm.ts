/**
 * Pure helpers over raw 32-bit float mono PCM (little-endian, as ffmpeg's `f32le` writes it):
 * waveform peaks for the pages and the sample count of a decoded output.
 */

/** Samples per block: the waveform keeps one maximum per block, then merges blocks into points. */
const BLOCK = 512;

export interface PcmSummary {
  readonly samples: number;
  /** Highest |sample|, linear. */
  readonly samplePeak: number;
  /** `points` maxima of |sample| over equal spans, 0..1, rounded to 3 decimals. */
  readonly peaks: readonly number[];
}

export interface PcmCollector {
  /** Takes the next bytes of the stream; chunks may split a sample. */
  push(chunk: Uint8Array): void;
  finish(points?: number): PcmSummary;
}

/**
 * Collects a waveform from a stream of f32le bytes in constant memory per block.
 *
 * @example
 * const c = createPcmCollector();
 * child.stdout.on('data', (b) => c.push(b));
 * c.finish(400).peaks // 400 values 0..1
 */
export function createPcmCollector(): PcmCollector {
  const blocks: number[] = [];
  let samples = 0;
  let blockMax = 0;
  let inBlock = 0;

  const read = createFloatReader((f32) => {
    let max = blockMax;
    let n = inBlock;
    for (let i = 0; i < f32.length; i++) {
      const v = f32[i] as number;
      const a = v < 0 ? -v : v;
      if (a > max) max = a;
      if (++n === BLOCK) {
        blocks.push(max);
        max = 0;
        n = 0;
      }
    }
    blockMax = max;
    inBlock = n;
    samples += f32.length;
  });

  return {
    push: read,
    finish(points = 400) {
      const all = inBlock > 0 ? [...blocks, blockMax] : blocks;
      const samplePeak = all.reduce((a, b) => Math.max(a, b), 0);
      return { samples, samplePeak, peaks: reducePeaks(all, points) };
    },
  };
}

/** Little-endian floats as a typed array (every platform Node runs on here is little-endian). */
function asFloat32(bytes: Uint8Array): Float32Array {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  return new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >> 2);
}

/**
 * Turns a byte stream of f32le into whole Float32Array chunks, keeping a split sample for the
 * next chunk.
 */
export function createFloatReader(onSamples: (samples: Float32Array) => void): (chunk: Uint8Array) => void {
  let carry = new Uint8Array(0);
  return (chunk) => {
    let bytes = chunk;
    if (carry.byteLength > 0) {
      bytes = new Uint8Array(carry.byteLength + chunk.byteLength);
      bytes.set(carry);
      bytes.set(chunk, carry.byteLength);
    }
    const whole = bytes.byteLength - (bytes.byteLength % 4);
    if (whole > 0) onSamples(asFloat32(bytes.subarray(0, whole)));
    carry = bytes.slice(whole);
  };
}

/**
 * Merges block maxima into `points` values (maximum over each span), clamped to 0..1.
 * Fewer blocks than points are stretched, so the waveform always has `points` values.
 */
export function reducePeaks(blocks: readonly number[], points: number): number[] {
  const out: number[] = [];
  if (blocks.length === 0) return Array.from({ length: points }, () => 0);
  for (let p = 0; p < points; p++) {
    const from = Math.floor((p * blocks.length) / points);
    const to = Math.max(from + 1, Math.floor(((p + 1) * blocks.length) / points));
    let max = 0;
    for (let i = from; i < to && i < blocks.length; i++) max = Math.max(max, blocks[i] ?? 0);
    out.push(Math.round(Math.min(1, max) * 1000) / 1000);
  }
  return out;
}

/**
 * Index of the first sample whose magnitude exceeds `threshold`, or -1.
 */
export function firstAbove(samples: Float32Array, threshold: number): number {
  for (let i = 0; i < samples.length; i++) if (Math.abs(samples[i] ?? 0) > threshold) return i;
  return -1;
}

/** Index of the last sample whose magnitude exceeds `threshold`, or -1. */
export function lastAbove(samples: Float32Array, threshold: number): number {
  for (let i = samples.length - 1; i >= 0; i--) if (Math.abs(samples[i] ?? 0) > threshold) return i;
  return -1;
}
