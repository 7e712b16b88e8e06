import { describe, expect, it } from 'vitest';
import { buildDecodeCheckArgs } from '../../src/media/decode-check-args.js';
import {
  buildAnalysisArgs,
  buildBaselineArgs,
  buildEncodeArgs,
  buildTrialArgs,
  buildVerifyArgs,
  levellerFor,
  trialExcerpts,
  type LevellingSettings,
} from '../../src/media/pipeline-args.js';
import type { SourceProbe } from '../../src/media/probe.js';
import { DEFAULT_ENCODING_TARGETS } from '../../src/media/targets.js';

const probe: SourceProbe = {
  codec: 'aac',
  formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
  durationMs: 125_000,
  channels: 2,
  sampleRate: 44100,
};
const levelling: LevellingSettings = {
  preGainDb: 12.345,
  leveller: levellerFor(DEFAULT_ENCODING_TARGETS),
  makeupDb: 3.5,
  ceilingDb: -4.5,
};
const after = (args: readonly string[], flag: string): string | undefined => args[args.indexOf(flag) + 1];

describe('buildDecodeCheckArgs', () => {
  it('reads the first 30 s and, for a longer file, the last 3 s as a second input', () => {
    const plan = buildDecodeCheckArgs('in.m4a', probe);
    expect(plan.readsTail).toBe(true);
    expect(plan.args.slice(0, 9)).toEqual([
      '-nostdin',
      '-hide_banner',
      '-nostats',
      '-t',
      '30',
      '-i',
      'in.m4a',
      '-sseof',
      '-3',
    ]);
    const graph = after(plan.args, '-filter_complex') ?? '';
    expect(graph).toContain(
      '[0:a:0]aformat=sample_fmts=dbl:sample_rates=44100:channel_layouts=mono,astats@head,',
    );
    expect(graph).toContain('ebur128@head=framelog=verbose[head]');
    expect(graph).toContain(
      '[1:a:0]aformat=sample_fmts=dbl:sample_rates=44100:channel_layouts=mono,astats@tail[tail]',
    );
    expect(plan.args.filter((a) => a === '-map')).toHaveLength(2);
  });

  it('reads the tail for at most 2 s more than it aims at, so that a file going on past its end shows', () => {
    const plan = buildDecodeCheckArgs('in.flac', { ...probe, durationMs: 28_000 });
    expect(plan.readsTail).toBe(true);
    expect(plan.args.slice(7, 13)).toEqual(['-sseof', '-3', '-t', '5', '-i', 'in.flac']);
  });

  it('reads no tail of a duration counted from the packets, which promises nothing', () => {
    const plan = buildDecodeCheckArgs('in.webm', { ...probe, durationFrom: 'packets' });
    expect(plan.readsTail).toBe(false);
    expect(plan.args).not.toContain('-sseof');
  });

  it('needs no tail when the head covers the whole file', () => {
    const plan = buildDecodeCheckArgs('in.wav', { ...probe, durationMs: 12_000 });
    expect(plan.readsTail).toBe(false);
    expect(plan.args).not.toContain('-sseof');
    expect(after(plan.args, '-filter_complex')).not.toContain('[1:a:0]');
  });
});

describe('trialExcerpts and buildTrialArgs', () => {
  it('listens to the whole of a short file, to six excerpts of a long one', () => {
    expect(trialExcerpts(40_000)).toEqual([{ startS: 0, durationS: 40 }]);
    expect(trialExcerpts(41_000)).toHaveLength(6);
    expect(trialExcerpts(600_000)).toEqual(
      [30, 120, 210, 300, 390, 480].map((startS) => ({ startS, durationS: 5 })),
    );
  });

  it('joins the excerpts, measures source and leveller, and splits into one limited branch per candidate', () => {
    const excerpts = trialExcerpts(600_000).slice(0, 3);
    const args = buildTrialArgs('in.mp3', excerpts, levelling, [1, 3]);
    expect(args.filter((a) => a === '-ss')).toHaveLength(3);
    const graph = after(args, '-filter_complex') ?? '';
    expect(graph).toContain(
      '[x0][x1][x2]concat=n=3:v=0:a=1,highpass=f=80,lowpass=f=9000,ebur128@source=framelog=verbose,volume=12.35dB,dynaudnorm=',
    );
    expect(graph).toContain('asplit=3[s0][s1][s2];[s0]ebur128@trial0=framelog=verbose[t0];');
    expect(graph).toContain(
      '[s1]volume=1.00dB,alimiter=limit=0.59566:attack=5:release=50:level=0,ebur128@trial1=framelog=verbose[t1]',
    );
    expect(graph).toContain('[s2]volume=3.00dB,');
    // Make-up and limiter belong to the branches only.
    expect(graph.split('asplit')[0]).not.toContain('alimiter');
    expect(args.filter((a) => a === '-map')).toHaveLength(3);
  });

  it('reads a short file whole, from its start', () => {
    const args = buildTrialArgs('in.wav', trialExcerpts(12_000), levelling, []);
    expect(args.slice(3, 9)).toEqual(['-ss', '0.000', '-t', '12.000', '-i', 'in.wav']);
    expect(after(args, '-filter_complex')).toMatch(/^\[0:a:0\]aformat=.*\[x0\];\[x0\]highpass/);
  });
});

describe('buildAnalysisArgs', () => {
  it('decodes the first audio stream once to mono 48 kHz, levels and limits, into raw float', () => {
    const args = buildAnalysisArgs({
      input: 'in.webm',
      levelling,
      intermediatePath: '/w/levelled.f32',
      maxS: 5402,
    });
    expect(after(args, '-map')).toBe('0:a:0');
    expect(after(args, '-af')).toBe(
      'aformat=sample_fmts=dbl:sample_rates=48000:channel_layouts=mono,highpass=f=80,lowpass=f=9000,' +
        'volume=12.35dB,dynaudnorm=f=250:g=15:p=0.9:m=3.981,volume=3.50dB,' +
        'alimiter=limit=0.59566:attack=5:release=50:level=0',
    );
    expect(args.slice(-6)).toEqual(['-c:a', 'pcm_f32le', '-f', 'f32le', '-y', '/w/levelled.f32']);
    expect(args.join(' ')).not.toContain('loudnorm');
    expect(args.join(' ')).not.toContain('peak=true');
  });

  it('stops decoding at the cap whatever the header says, by time and by the size of the intermediate', () => {
    const args = buildAnalysisArgs({ input: 'in.mp3', levelling, intermediatePath: '/w/l.f32', maxS: 62 });
    expect(args.slice(3, 7)).toEqual(['-t', '62.000', '-i', 'in.mp3']);
    // 62 s of 32-bit float at 48 kHz, an output option (after the input).
    expect(after(args, '-fs')).toBe(String(62 * 48000 * 4));
    expect(args.indexOf('-fs')).toBeGreaterThan(args.indexOf('-i'));
  });
});

describe('buildEncodeArgs', () => {
  const base = {
    intermediatePath: '/w/levelled.f32',
    span: { startS: 4.75, durationS: 17.5 },
    gainDb: -0.6,
    ceilingDb: undefined,
    opusTrimDb: 0,
    targets: DEFAULT_ENCODING_TARGETS,
    outputs: { mp3: '/w/audio.mp3' },
  };

  it('reads the trimmed span of the raw intermediate and writes MP3 64 kbit/s mono 44.1 kHz without metadata', () => {
    const args = buildEncodeArgs(base);
    expect(args.slice(3, 15)).toEqual([
      '-f',
      'f32le',
      '-ar',
      '48000',
      '-ac',
      '1',
      '-ss',
      '4.750',
      '-t',
      '17.500',
      '-i',
      '/w/levelled.f32',
    ]);
    expect(after(args, '-filter_complex')).toBe(
      '[0:a]volume=-0.60dB,afade=t=in:d=0.02,afade=t=out:st=17.480:d=0.02,aresample=44100[mp3]',
    );
    expect(args.join(' ')).toContain(
      '-c:a libmp3lame -b:a 64k -ar 44100 -ac 1 -map_metadata -1 -fflags +bitexact -flags:a +bitexact -f mp3 -y /w/audio.mp3',
    );
  });

  it('adds a limiter only when the gain is a boost, and an Opus branch when asked', () => {
    const args = buildEncodeArgs({
      ...base,
      gainDb: 0.4,
      ceilingDb: -4.5,
      opusTrimDb: -0.25,
      outputs: { mp3: '/w/a.mp3', opus: '/w/a.opus' },
    });
    const graph = after(args, '-filter_complex') ?? '';
    expect(graph).toContain('volume=0.40dB,alimiter=limit=0.59566');
    expect(graph).toContain('asplit=2[m][o];[m]aresample=44100[mp3];[o]volume=-0.25dB[opus]');
    expect(args.join(' ')).toContain(
      '-map [opus] -c:a libopus -b:a 24k -application voip -compression_level 5 -ar 48000 -ac 1',
    );
    expect(args.at(-1)).toBe('/w/a.opus');
  });
});

describe('buildVerifyArgs and buildBaselineArgs', () => {
  it('decodes an output to mono 16-bit PCM on stdout, in large writes', () => {
    const args = buildVerifyArgs('/w/a.mp3');
    expect(args.slice(3, 9)).toEqual(['-v', 'error', '-i', '/w/a.mp3', '-map', '0:a:0']);
    expect(args.slice(-9)).toEqual([
      '-c:a',
      'pcm_s16le',
      '-ac',
      '1',
      '-flush_packets',
      '0',
      '-f',
      's16le',
      'pipe:1',
    ]);
  });

  it('stops decoding an output a little past the span it was cut from', () => {
    const args = buildVerifyArgs('/w/a.mp3', { maxS: 18.5 });
    expect(args.slice(7, 11)).toEqual(['-map', '0:a:0', '-t', '18.500']);
  });

  it('is the plain decode + encode the speed target is stated against', () => {
    expect(buildBaselineArgs('in.wav', 'out.mp3', DEFAULT_ENCODING_TARGETS)).toEqual([
      '-nostdin',
      '-hide_banner',
      '-nostats',
      '-i',
      'in.wav',
      '-ac',
      '1',
      '-ar',
      '44100',
      '-b:a',
      '64k',
      '-y',
      'out.mp3',
    ]);
  });
});

describe('an AMR-NB source', () => {
  const amr: SourceProbe = {
    codec: 'amr_nb',
    formatName: 'amr',
    durationMs: 125_000,
    channels: 1,
    sampleRate: 8000,
  };
  const opencore = { decoder: 'libopencore_amrnb' } as const;
  /** The two arguments before each `-i` that are not its own timing options. */
  const decodersBeforeInputs = (args: readonly string[]): string[] =>
    args.flatMap((a, i) => {
      if (a !== '-i') return [];
      const start = args.lastIndexOf('-c:a', i);
      const previous = args.lastIndexOf('-i', i - 1);
      return start > previous ? [args[start + 1] ?? ''] : ['(default)'];
    });

  it('is decoded with libopencore_amrnb, forced before every input of every pass that decodes it', () => {
    const check = buildDecodeCheckArgs(
      'in.amr',
      { ...amr, formatName: 'mov,mp4,m4a,3gp,3g2,mj2' },
      {
        decoding: opencore,
      },
    );
    expect(check.readsTail).toBe(true);
    expect(decodersBeforeInputs(check.args)).toEqual(['libopencore_amrnb', 'libopencore_amrnb']);
    const trial = buildTrialArgs('in.amr', trialExcerpts(600_000), levelling, [1], opencore);
    expect(decodersBeforeInputs(trial)).toEqual(Array.from({ length: 6 }, () => 'libopencore_amrnb'));
    const analysis = buildAnalysisArgs({
      input: 'in.amr',
      levelling,
      intermediatePath: '/w/l.f32',
      maxS: 62,
      decoding: opencore,
    });
    expect(analysis.slice(3, 9)).toEqual(['-c:a', 'libopencore_amrnb', '-t', '62.000', '-i', 'in.amr']);
    expect(after(analysis, '-af')).toMatch(/^aformat=/);
  });

  it('has the time of the frames a built-in decoder drops filled with silence, in every pass', () => {
    const dropping = { dropsSilenceFrames: true } as const;
    const fill = 'aresample=async=1:min_hard_comp=0.01:first_pts=0,';
    const check = buildDecodeCheckArgs('in.3gp', amr, { decoding: dropping });
    expect(decodersBeforeInputs(check.args)).toEqual(['(default)', '(default)']);
    const graph = after(check.args, '-filter_complex') ?? '';
    expect(graph).toContain(`[0:a:0]${fill}aformat=sample_fmts=dbl:sample_rates=8000:`);
    expect(graph).toContain(`[1:a:0]${fill}aformat=`);
    const trial = buildTrialArgs('in.amr', trialExcerpts(600_000), levelling, [1], dropping);
    expect(after(trial, '-filter_complex')).toContain(`[5:a:0]${fill}aformat=`);
    const analysis = buildAnalysisArgs({
      input: 'in.amr',
      levelling,
      intermediatePath: '/w/l.f32',
      maxS: 62,
      decoding: dropping,
    });
    expect(after(analysis, '-af')).toMatch(new RegExp(`^${fill.replace(/[.]/g, '\\.')}aformat=`));
  });
});
