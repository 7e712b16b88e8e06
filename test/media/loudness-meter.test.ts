import { describe, expect, it } from 'vitest';
import { createLoudnessMeter, kWeighting } from '../../src/media/loudness-meter.js';
import { createPcmCollector, createS16Reader, reducePeaks } from '../../src/media/pcm.js';

function sine(rate: number, seconds: number, freq: number, amplitude: number, phase = 0): Float32Array {
  const out = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * freq * i) / rate + phase);
  return out;
}

function measure(samples: Float32Array, rate: number, chunk = 4096) {
  const meter = createLoudnessMeter(rate);
  for (let i = 0; i < samples.length; i += chunk) meter.push(samples.subarray(i, i + chunk));
  return meter.finish();
}

describe('createLoudnessMeter (ITU-R BS.1770-4)', () => {
  it('reads a full-scale 997 Hz sine on one channel as −3.01 LUFS', () => {
    expect(measure(sine(48000, 5, 997, 1), 48000).integratedLufs).toBeCloseTo(-3.01, 1);
  });

  it('scales with level, at 44.1 kHz as at 48 kHz', () => {
    expect(measure(sine(44100, 5, 997, 0.1), 44100).integratedLufs).toBeCloseTo(-23.01, 1);
  });

  it('gates silence out of the integrated loudness but counts it in the length', () => {
    const tone = sine(48000, 4, 997, 0.1);
    const withSilence = new Float32Array(tone.length * 3);
    withSilence.set(tone, tone.length);
    const reading = measure(withSilence, 48000);
    // Only the 400 ms blocks straddling the tone's edges pull it down a little.
    expect(Math.abs(reading.integratedLufs - measure(tone, 48000).integratedLufs)).toBeLessThan(0.4);
    expect(reading.samples).toBe(withSilence.length);
    expect(measure(new Float32Array(48000), 48000).integratedLufs).toBe(-70);
  });

  it('finds inter-sample peaks: a sine at fs/4 sampled 45° off its crest peaks 3 dB above its samples', () => {
    const reading = measure(sine(48000, 1, 12000, 0.5, Math.PI / 4), 48000);
    expect(reading.samplePeakDbfs).toBeCloseTo(20 * Math.log10(0.5 * Math.SQRT1_2), 2);
    // Within the 4× interpolator's ripple, and never under the truth.
    expect(reading.truePeakDbtp).toBeGreaterThan(20 * Math.log10(0.5) - 0.05);
    expect(reading.truePeakDbtp).toBeLessThan(20 * Math.log10(0.5) + 0.2);
  });

  it('gives the same answer whatever the chunking', () => {
    const s = sine(44100, 3, 3000, 0.3, 1);
    const a = measure(s, 44100, 4096);
    const b = measure(s, 44100, 333);
    expect(b.integratedLufs).toBeCloseTo(a.integratedLufs, 9);
    expect(b.truePeakDbtp).toBeCloseTo(a.truePeakDbtp, 6);
  });

  it('measures a 12 LU step as a loudness range of about 12 LU', () => {
    const loud = sine(48000, 20, 997, 0.4);
    const quiet = sine(48000, 20, 997, 0.1);
    const both = new Float32Array(loud.length + quiet.length);
    both.set(loud);
    both.set(quiet, loud.length);
    expect(measure(both, 48000).lraLu).toBeCloseTo(12, 0);
  });

  it('derives the K-weighting of BS.1770 (the 48 kHz coefficients of the standard)', () => {
    const [shelf, highPass] = kWeighting(48000);
    expect(shelf.b0).toBeCloseTo(1.53512485958697, 9);
    expect(shelf.a1).toBeCloseTo(-1.69065929318241, 9);
    expect(highPass.a1).toBeCloseTo(-1.99004745483398, 9);
    expect(highPass.a2).toBeCloseTo(0.99007225036621, 9);
  });
});

describe('PCM helpers', () => {
  it('reads 16-bit samples across chunk borders, scaled to ±1', () => {
    const bytes = new Uint8Array(new Int16Array([16384, -32768, 32767]).buffer);
    const got: number[] = [];
    const read = createS16Reader((f) => got.push(...f));
    read(bytes.subarray(0, 3));
    read(bytes.subarray(3));
    expect(got).toEqual([0.5, -1, 32767 / 32768]);
  });

  it('draws 400 waveform points of the peak magnitude', () => {
    const c = createPcmCollector();
    const samples = new Float32Array(512 * 800).fill(0.1);
    samples[512 * 400 + 7] = -0.9;
    c.push(samples);
    const summary = c.finish(400);
    expect(summary.samples).toBe(samples.length);
    expect(summary.peaks).toHaveLength(400);
    expect(summary.peaks[200]).toBe(0.9);
    expect(summary.peaks[0]).toBe(0.1);
    expect(summary.samplePeak).toBeCloseTo(0.9, 6);
  });

  it('stretches few blocks to the number of points and clamps to 1', () => {
    expect(reducePeaks([0.5, 2], 4)).toEqual([0.5, 0.5, 1, 1]);
    expect(reducePeaks([], 3)).toEqual([0, 0, 0]);
  });
});
