import { describe, expect, it } from 'vitest';
import { parseAstats, parseEbur128Summary, parseProgressTimeMs } from '../../src/media/ffmpeg-output.js';

// Captured from ffmpeg 5.1: three ebur128 instances in one graph, printed out of order.
const EBUR128 = `video:0kB audio:215kB subtitle:0kB other streams:0kB global headers:0kB muxing overhead: unknown
[ebur128@a @ 0x55ffe3dc94c0] Summary:

  Integrated loudness:
    I:         -18.7 LUFS
    Threshold: -28.7 LUFS

  Loudness range:
    LRA:         1.5 LU
    Threshold: -38.8 LUFS
    LRA low:   -19.6 LUFS
    LRA high:  -18.1 LUFS
[ebur128@c @ 0x55ffe3dcaec0] Summary:

  Integrated loudness:
    I:         -70.0 LUFS
    Threshold:   0.0 LUFS

  Loudness range:
    LRA:         0.0 LU
    Threshold:   0.0 LUFS
    LRA low:     0.0 LUFS
    LRA high:    0.0 LUFS

  Sample peak:
    Peak:      -100.0 dBFS
[ebur128@b @ 0x55ffe3dc7780] Summary:

  Integrated loudness:
    I:         -18.7 LUFS
    Threshold: -28.7 LUFS

  Loudness range:
    LRA:         1.5 LU
    Threshold: -38.8 LUFS
    LRA low:   -19.6 LUFS
    LRA high:  -18.1 LUFS

  True peak:
    Peak:       -0.4 dBFS
`;

describe('parseEbur128Summary', () => {
  it('reads integrated loudness and LRA of the named instance', () => {
    expect(parseEbur128Summary(EBUR128, 'ebur128@a')).toEqual({ integratedLufs: -18.7, lraLu: 1.5 });
  });

  it('reads the true peak only from a "True peak" section', () => {
    expect(parseEbur128Summary(EBUR128, 'ebur128@b')).toEqual({
      integratedLufs: -18.7,
      lraLu: 1.5,
      truePeakDbtp: -0.4,
    });
  });

  it('reads the sample peak and the −70 LUFS of silence', () => {
    expect(parseEbur128Summary(EBUR128, 'ebur128@c')).toEqual({
      integratedLufs: -70,
      lraLu: 0,
      samplePeakDbfs: -100,
    });
  });

  it('reads -inf peaks', () => {
    const text =
      '[ebur128@x @ 0x1] Summary:\n  Integrated loudness:\n    I: -70.0 LUFS\n  Loudness range:\n    LRA: 0.0 LU\n  True peak:\n    Peak: -inf dBFS\n';
    expect(parseEbur128Summary(text, 'ebur128@x')?.truePeakDbtp).toBe(Number.NEGATIVE_INFINITY);
  });

  it('finds nothing for an instance that printed no summary, or a cut-off one', () => {
    expect(parseEbur128Summary(EBUR128, 'ebur128@missing')).toBeUndefined();
    expect(
      parseEbur128Summary('[ebur128@a @ 0x1] Summary:\n  Integrated loudness:\n', 'ebur128@a'),
    ).toBeUndefined();
  });

  it('does not take frame log lines of another filter for the summary', () => {
    const mixed = EBUR128.replace('[ebur128@c', '[Parsed_volume_1 @ 0x2] I: -5.0 LUFS\n[ebur128@c');
    expect(parseEbur128Summary(mixed, 'ebur128@a')?.integratedLufs).toBe(-18.7);
  });
});

const ASTATS = `[astats@head @ 0x5648eff06340] Channel: 1
[astats@head @ 0x5648eff06340] DC offset: 0.000483
[astats@head @ 0x5648eff06340] Peak level dB: -0.037989
[astats@head @ 0x5648eff06340] RMS level dB: -17.228636
[astats@head @ 0x5648eff06340] Crest factor: 7.236562
[astats@head @ 0x5648eff06340] Noise floor dB: -inf
[astats@head @ 0x5648eff06340] Zero crossings rate: 0.075397
[astats@head @ 0x5648eff06340] Overall
[astats@head @ 0x5648eff06340] RMS level dB: -17.5
[astats@head @ 0x5648eff06340] Number of samples: 44100
[astats@tail @ 0x5648eff07000] Channel: 1
[astats@tail @ 0x5648eff07000] RMS level dB: -30.0
[astats@tail @ 0x5648eff07000] Overall
[astats@tail @ 0x5648eff07000] Number of samples: 0
`;

describe('parseAstats', () => {
  it('reads the first channel, completed by the overall block', () => {
    const head = parseAstats(ASTATS, 'astats@head');
    expect(head).toMatchObject({
      'RMS level dB': -17.228636,
      'Crest factor': 7.236562,
      'Zero crossings rate': 0.075397,
      'Number of samples': 44100,
      'Noise floor dB': Number.NEGATIVE_INFINITY,
    });
  });

  it('keeps instances apart', () => {
    expect(parseAstats(ASTATS, 'astats@tail')).toEqual({ 'RMS level dB': -30, 'Number of samples': 0 });
    expect(parseAstats(ASTATS, 'astats@none')).toBeUndefined();
  });
});

describe('parseProgressTimeMs', () => {
  it('takes the last position ffmpeg reported', () => {
    const progress =
      'out_time_us=1000000\nprogress=continue\nout_time_us=18311655\nout_time_ms=18311655\nprogress=end\n';
    expect(parseProgressTimeMs(progress)).toBeCloseTo(18311.655, 3);
    expect(parseProgressTimeMs('progress=end\n')).toBeUndefined();
  });
});
