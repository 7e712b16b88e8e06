import { describe, expect, it } from 'vitest';
import { interpolateMakeup } from '../../src/media/levelling.js';
import {
  encodeGainDb,
  firstEncoding,
  levelledAimLufs,
  limiterCeilingDb,
  planCorrection,
  preGainDb,
  silenceThresholdDb,
  trimSpan,
} from '../../src/media/loudness-plan.js';
import { DEFAULT_ENCODING_TARGETS as T } from '../../src/media/targets.js';

describe('trimSpan', () => {
  it('cuts silent edges longer than 0.5 s down to 0.25 s', () => {
    expect(trimSpan(5.2, 14, 15)).toEqual({ startS: 4.95, durationS: 9.3 });
  });

  it('leaves edges of 0.5 s or less alone', () => {
    expect(trimSpan(0.4, 14.6, 15)).toEqual({ startS: 0, durationS: 15 });
    expect(trimSpan(0.6, 14.6, 15)).toEqual({ startS: 0.35, durationS: 14.65 });
  });

  it('keeps everything when nothing is loud', () => {
    expect(trimSpan(undefined, undefined, 3)).toEqual({ startS: 0, durationS: 3 });
  });
});

describe('gains', () => {
  it('brings the first seconds to the target before levelling, within bounds', () => {
    expect(preGainDb(-35, T)).toBe(19);
    expect(preGainDb(-6, T)).toBe(-10);
    expect(preGainDb(undefined, T)).toBe(8);
    expect(preGainDb(-90, T)).toBe(8);
    expect(preGainDb(-69, T)).toBe(40);
  });

  it('moves the −50 dBFS silence threshold by the static gains', () => {
    expect(silenceThresholdDb({ preGainDb: 19, makeupDb: 6 })).toBe(-25);
  });

  it('aims the levelling above the target by the codec loss and a bias, so the encoding gain is a cut', () => {
    expect(levelledAimLufs(T)).toBeCloseTo(-16 + 0.45 + 0.3, 6);
    expect(encodeGainDb(levelledAimLufs(T), T)).toBeCloseTo(-0.3, 6);
    expect(firstEncoding(levelledAimLufs(T), T)).toEqual({
      gainDb: expect.closeTo(-0.3, 6),
      ceilingDb: undefined,
      opusTrimDb: 0,
    });
    expect(firstEncoding(-16, T).ceilingDb).toBe(limiterCeilingDb(T));
    expect(limiterCeilingDb(T)).toBe(-4.5);
  });
});

describe('planCorrection', () => {
  const current = { gainDb: -0.5, ceilingDb: undefined, opusTrimDb: 0 };
  const mp3 = (integratedLufs: number, truePeakDbtp = -3) => ({
    format: 'mp3' as const,
    integratedLufs,
    truePeakDbtp,
    lraLu: 3,
  });

  it('does nothing within 0.3 LU and under the peak ceiling', () => {
    expect(planCorrection([mp3(-16.3)], current, T)).toBeUndefined();
    expect(planCorrection([mp3(-15.75)], current, T)).toBeUndefined();
  });

  it('shifts the gain by the measured error, adding a limiter when it becomes a boost', () => {
    expect(planCorrection([mp3(-16.6)], current, T)).toEqual({
      gainDb: expect.closeTo(0.1, 6),
      ceilingDb: -4.5,
      opusTrimDb: 0,
    });
    expect(planCorrection([mp3(-15.4)], current, T)).toEqual({
      gainDb: expect.closeTo(-1.1, 6),
      ceilingDb: undefined,
      opusTrimDb: 0,
    });
  });

  it('lowers the ceiling by a true-peak overshoot plus 0.3 dB', () => {
    expect(planCorrection([mp3(-16, -1.1)], current, T)).toEqual({
      gainDb: -0.5,
      ceilingDb: expect.closeTo(-5.2, 6),
      opusTrimDb: 0,
    });
  });

  it('trims the Opus branch by its own error', () => {
    const opus = { format: 'opus' as const, integratedLufs: -16.5, truePeakDbtp: -3, lraLu: 3 };
    expect(planCorrection([mp3(-16), opus], current, T)).toEqual({
      gainDb: -0.5,
      ceilingDb: undefined,
      opusTrimDb: 0.5,
    });
  });
});

describe('interpolateMakeup', () => {
  it('interpolates between the candidates that bracket the aim, with the slope there', () => {
    expect(interpolateMakeup([10, 12, 14], [-17, -15, -14], -16)).toEqual({ makeupDb: 11, slope: 1 });
    expect(interpolateMakeup([10, 12, 14], [-17, -15, -14], -14.5)).toEqual({ makeupDb: 13, slope: 0.5 });
  });

  it('extrapolates past the ends, never with a slope under 0.1', () => {
    expect(interpolateMakeup([10, 12], [-17, -15], -18)).toEqual({ makeupDb: 9, slope: 1 });
    expect(interpolateMakeup([10, 12], [-17, -16.9], -16.5)).toEqual({
      makeupDb: expect.closeTo(16, 6),
      slope: 0.1,
    });
  });

  it('skips candidates that measured nothing', () => {
    expect(interpolateMakeup([10, 12, 14], [undefined, -15, -13], -14).makeupDb).toBe(13);
  });
});
