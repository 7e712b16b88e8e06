import { describe, expect, it } from 'vitest';
import {
  buildCountArgs,
  buildPacketScanArgs,
  chooseDecoding,
  decoderArgs,
  gapFilling,
} from '../../src/media/decoding.js';
import { formatDuration } from '../../src/media/rejection.js';
import { decodeCapMs, DEFAULT_AUDIO_LIMITS, reachedDecodeCap } from '../../src/media/targets.js';

const after = (args: readonly string[], flag: string): string | undefined => args[args.indexOf(flag) + 1];

describe('the decode cap', () => {
  it('lies 2 s past the limit, and a count from 1 s past it on may have been cut', () => {
    expect(decodeCapMs(DEFAULT_AUDIO_LIMITS)).toBe(90 * 60_000 + 2000);
    expect(reachedDecodeCap(90 * 60_000 + 2000, DEFAULT_AUDIO_LIMITS)).toBe(true);
    expect(reachedDecodeCap(90 * 60_000 + 1000, DEFAULT_AUDIO_LIMITS)).toBe(true);
    expect(reachedDecodeCap(90 * 60_000 + 999, DEFAULT_AUDIO_LIMITS)).toBe(false);
  });

  it('is written as a lower bound: rounded down, seconds kept', () => {
    expect(formatDuration(5_402_900, { lowerBound: true })).toEqual({
      vi: '90 phút 2 giây',
      en: '90 min 2 s',
    });
    expect(formatDuration(5_402_900)).toEqual({ vi: '90 phút', en: '90 min' });
    expect(formatDuration(62_000, { lowerBound: true })).toEqual({ vi: '1 phút 2 giây', en: '1 min 2 s' });
    expect(formatDuration(3 * 3600_000 + 2000, { lowerBound: true })).toEqual({
      vi: '3 giờ 2 giây',
      en: '3 h 2 s',
    });
  });
});

describe('buildPacketScanArgs', () => {
  it('copies the packets of the first audio stream up to the cap (an output option), reporting progress on stdout', () => {
    const args = buildPacketScanArgs('in.webm', 5402);
    expect(args.slice(args.indexOf('-i'), args.indexOf('-c'))).toEqual([
      '-i',
      'in.webm',
      '-map',
      '0:a:0',
      '-t',
      '5402.000',
    ]);
    expect(after(args, '-c')).toBe('copy');
    expect(after(args, '-progress')).toBe('pipe:1');
    expect(args.slice(-3)).toEqual(['-f', 'null', '-']);
  });
});

describe('buildCountArgs', () => {
  it('decodes up to the cap to mono 16-bit PCM at the source rate on stdout, for counting', () => {
    const args = buildCountArgs('in.mp3', { sampleRate: 44100, maxS: 62 });
    expect(args.slice(args.indexOf('-t'), args.indexOf('-i') + 2)).toEqual(['-t', '62.000', '-i', 'in.mp3']);
    expect(after(args, '-map')).toBe('0:a:0');
    expect(args.slice(-11)).toEqual([
      '-c:a',
      'pcm_s16le',
      '-ac',
      '1',
      '-ar',
      '44100',
      '-flush_packets',
      '0',
      '-f',
      's16le',
      'pipe:1',
    ]);
  });
});

describe('chooseDecoding', () => {
  it('decodes AMR-NB with libopencore_amrnb where the ffmpeg has it, else fills the dropped frames', () => {
    const npm = new Set(['amrnb', 'libopencore_amrnb', 'flac']);
    const debian = new Set(['amrnb', 'flac']);
    expect(chooseDecoding('amr_nb', npm)).toEqual({ decoder: 'libopencore_amrnb' });
    expect(chooseDecoding('amr_nb', debian)).toEqual({ dropsSilenceFrames: true });
    expect(chooseDecoding('flac', npm)).toEqual({});
    expect(chooseDecoding('amr_wb', npm)).toEqual({});
  });

  it('turns a choice into input options and a filter prefix', () => {
    expect(decoderArgs({ decoder: 'libopencore_amrnb' })).toEqual(['-c:a', 'libopencore_amrnb']);
    expect(decoderArgs({ dropsSilenceFrames: true })).toEqual([]);
    expect(decoderArgs()).toEqual([]);
    expect(gapFilling({ dropsSilenceFrames: true })).toBe(
      'aresample=async=1:min_hard_comp=0.01:first_pts=0,',
    );
    expect(gapFilling({ decoder: 'libopencore_amrnb' })).toBe('');
  });

  it('is applied to the count: the decoder before the input, the filling as its only filter', () => {
    const forced = buildCountArgs('in.amr', {
      sampleRate: 8000,
      maxS: 62,
      decoding: { decoder: 'libopencore_amrnb' },
    });
    expect(forced.slice(forced.indexOf('-c:a'), forced.indexOf('-i') + 2)).toEqual([
      '-c:a',
      'libopencore_amrnb',
      '-t',
      '62.000',
      '-i',
      'in.amr',
    ]);
    expect(forced).not.toContain('-af');
    const filled = buildCountArgs('in.amr', {
      sampleRate: 8000,
      maxS: 62,
      decoding: { dropsSilenceFrames: true },
    });
    expect(after(filled, '-af')).toBe('aresample=async=1:min_hard_comp=0.01:first_pts=0');
    expect(filled.indexOf('-c:a')).toBeGreaterThan(filled.indexOf('-i'));
  });
});
