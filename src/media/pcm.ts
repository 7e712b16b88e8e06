/**
 * Pure helpers over raw mono PCM as ffmpeg writes it (`f32le`, `s16le`, little-endian):
 * streaming readers, waveform peaks for the pages, silent edges.
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
  push(samples: Float32Array): void;
  finish(points?: number): PcmSummary;
}

/**
 * Collects a waveform from a stream of samples, keeping one maximum per block of 512.
 *
 * @example
 * const c = createPcmCollector();
 * child.stdout.on('data', createS16Reader((samples) => c.push(samples)));
 * c.finish(400).peaks // 400 values 0..1
 */
export function createPcmCollector(): PcmCollector {
  const blocks: number[] = [];
  let samples = 0;
  let blockMax = 0;
  let inBlock = 0;

  const push = (f32: Float32Array): void => {
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
  };

  return {
    push,
    finish(points = 400) {
      const all = inBlock > 0 ? [...blocks, blockMax] : blocks;
      const samplePeak = all.reduce((a, b) => Math.max(a, b), 0);
      return { samples, samplePeak, peaks: reducePeaks(all, points) };
    },
  };
}

/**
 * Turns a byte stream of s16le into Float32Array chunks scaled to ±1, keeping a split sample
 * for the next chunk. Half the bytes of f32le through the pipe, for a measurement that needs
 * no more than 16 bits.
 */
export function createS16Reader(onSamples: (samples: Float32Array) => void): (chunk: Uint8Array) => void {
  let carry = new Uint8Array(0);
  let out = new Float32Array(0);
  return (chunk) => {
    let bytes = chunk;
    if (carry.byteLength > 0) {
      bytes = new Uint8Array(carry.byteLength + chunk.byteLength);
      bytes.set(carry);
      bytes.set(chunk, carry.byteLength);
    }
    const n = bytes.byteLength >> 1;
    const aligned = bytes.byteOffset % 2 === 0 ? bytes : bytes.slice();
    const i16 = new Int16Array(aligned.buffer, aligned.byteOffset, n);
    if (out.length < n) out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = (i16[i] as number) / 32768;
    if (n > 0) onSamples(out.subarray(0, n));
    carry = bytes.slice(n * 2);
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
