import { describe, expect, it } from 'vitest';
import { decodedPastHeader, judgeDecodeCheck } from '../../src/media/inspect.js';
import { needsPacketScan, toProbeResult, validateProbe, type SourceProbe } from '../../src/media/probe.js';

const m4a = {
  streams: [
    {
      codec_type: 'audio',
      codec_name: 'aac',
      channels: 1,
      sample_rate: '44100',
      duration: '15.000000',
      bit_rate: '64000',
    },
  ],
  format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '15.000000', bit_rate: '76788' },
};

describe('toProbeResult', () => {
  it('types the first audio stream of ffprobe JSON', () => {
    expect(toProbeResult(m4a)).toEqual({
      kind: 'audio',
      probe: {
        codec: 'aac',
        formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
        durationMs: 15_000,
        channels: 1,
        sampleRate: 44100,
        bitRate: 64000,
      },
    });
  });

  it('takes the format duration, or a scanned one, when the stream has none (browser WebM)', () => {
    const webm = {
      streams: [{ codec_type: 'audio', codec_name: 'opus', channels: 2, sample_rate: '48000' }],
      format: { format_name: 'matroska,webm' },
    };
    expect(toProbeResult(webm)).toMatchObject({ kind: 'unreadable' });
    expect(toProbeResult(webm, { scannedDurationMs: 22_310 })).toMatchObject({
      kind: 'audio',
      probe: { durationMs: 22_310 },
    });
    const withFormat = { ...webm, format: { ...webm.format, duration: '9.5' } };
    expect(toProbeResult(withFormat)).toMatchObject({ probe: { durationMs: 9500 } });
  });

  it('counts the packets of a raw AMR, whose duration ffprobe only guesses from the bit rate', () => {
    const stream = { codec_type: 'audio', codec_name: 'amr_nb', channels: 1, sample_rate: '8000' };
    const amr = { streams: [stream], format: { format_name: 'amr', duration: '82.013375' } };
    const guessed = '[amr @ 0x55] Estimating duration from bitrate, this may be inaccurate\n';
    expect(needsPacketScan(amr, guessed)).toBe(true);
    expect(needsPacketScan(amr, '')).toBe(false);
    expect(needsPacketScan({ streams: [stream], format: { format_name: 'amr' } }, '')).toBe(true);
    expect(toProbeResult(amr, { scannedDurationMs: 53_780 })).toMatchObject({
      probe: { durationMs: 53_780, durationFrom: 'packets' },
    });
    expect(toProbeResult(amr)).toMatchObject({ probe: { durationMs: 82_013 } });
    expect(toProbeResult(amr)).not.toMatchObject({ probe: { durationFrom: 'packets' } });
  });

  it('tells a picture from a video without sound', () => {
    expect(
      toProbeResult({
        streams: [{ codec_type: 'video', codec_name: 'png' }],
        format: { format_name: 'png_pipe' },
      }),
    ).toMatchObject({
      kind: 'no_audio',
      looksLike: 'image',
    });
    expect(
      toProbeResult({
        streams: [{ codec_type: 'video', codec_name: 'h264' }],
        format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2' },
      }),
    ).toMatchObject({
      kind: 'no_audio',
      looksLike: 'video',
    });
    expect(toProbeResult({ streams: [], format: { format_name: 'tty' } })).toMatchObject({
      kind: 'no_audio',
      looksLike: 'other',
    });
  });

  it('accepts an MP3 with cover art as audio', () => {
    const mp3 = {
      streams: [
        { codec_type: 'audio', codec_name: 'mp3', channels: 2, sample_rate: '44100', duration: '60.0' },
        { codec_type: 'video', codec_name: 'mjpeg', disposition: { attached_pic: 1 } },
      ],
      format: { format_name: 'mp3' },
    };
    expect(toProbeResult(mp3)).toMatchObject({ kind: 'audio', probe: { codec: 'mp3', channels: 2 } });
  });

  it('calls anything odd unreadable', () => {
    expect(toProbeResult('not json')).toMatchObject({ kind: 'unreadable' });
    expect(
      toProbeResult({ streams: [{ codec_type: 'audio', channels: 0, sample_rate: '0' }] }),
    ).toMatchObject({ kind: 'unreadable' });
  });
});

const probe: SourceProbe = {
  codec: 'mp3',
  formatName: 'mp3',
  durationMs: 60_000,
  channels: 2,
  sampleRate: 44100,
};

describe('validateProbe', () => {
  it('accepts audio within the limits', () => {
    expect(validateProbe({ kind: 'audio', probe })).toEqual({ ok: true, probe });
  });

  it('refuses three hours with 422 too_long, in minutes the cadre understands', () => {
    const verdict = validateProbe({ kind: 'audio', probe: { ...probe, durationMs: 3 * 3600_000 } });
    expect(verdict).toMatchObject({ ok: false, rejection: { code: 'too_long', status: 422 } });
    if (!verdict.ok) {
      expect(verdict.rejection.message).toBe(
        'Bản ghi dài 3 giờ, vượt quá giới hạn 90 phút. Hãy cắt thành các đoạn ngắn hơn 90 phút rồi tải lên từng đoạn.',
      );
      expect(verdict.rejection.messageEn).toContain('3 h');
    }
    expect(validateProbe({ kind: 'audio', probe: { ...probe, durationMs: 90 * 60_000 } }).ok).toBe(true);
    expect(validateProbe({ kind: 'audio', probe: { ...probe, durationMs: 90 * 60_000 + 1 } }).ok).toBe(false);
  });

  it('says "at least" of a count stopped past the limit, and gives the exact length of a count that was not', () => {
    const counted = { ...probe, durationFrom: 'decoded' as const };
    const stopped = validateProbe({ kind: 'audio', probe: { ...counted, durationMs: 90 * 60_000 + 2000 } });
    expect(stopped).toMatchObject({ ok: false, rejection: { code: 'too_long', status: 422 } });
    if (!stopped.ok) {
      expect(stopped.rejection.message).toBe(
        'Bản ghi dài ít nhất 90 phút 2 giây, vượt quá giới hạn 90 phút. Hãy cắt thành các đoạn ngắn hơn 90 phút rồi tải lên từng đoạn.',
      );
      expect(stopped.rejection.messageEn).toContain('lasts at least 90 min 2 s, more than the 90 min limit');
    }
    const over = validateProbe({ kind: 'audio', probe: { ...counted, durationMs: 90 * 60_000 + 400 } });
    if (!over.ok) expect(over.rejection.message).toMatch(/^Bản ghi dài 90 phút, vượt quá/);
    expect(over.ok).toBe(false);
    // A header's duration is a claim to refuse on, never a lower bound.
    const claimed = validateProbe({ kind: 'audio', probe: { ...probe, durationMs: 90 * 60_000 + 2000 } });
    if (!claimed.ok) expect(claimed.rejection.message).not.toContain('ít nhất');
    expect(claimed.ok).toBe(false);
  });

  it('refuses more than 8 channels with 422, and honours other limits', () => {
    expect(validateProbe({ kind: 'audio', probe: { ...probe, channels: 12 } })).toMatchObject({
      ok: false,
      rejection: { code: 'too_many_channels', status: 422 },
    });
    expect(validateProbe({ kind: 'audio', probe: { ...probe, channels: 8 } }).ok).toBe(true);
    expect(validateProbe({ kind: 'audio', probe }, { maxChannels: 1, maxDurationMs: 1000 }).ok).toBe(false);
  });

  it('maps what ffprobe could not use to 415, and an empty file to 422', () => {
    expect(validateProbe({ kind: 'unreadable', detail: 'x' })).toMatchObject({
      ok: false,
      rejection: { code: 'unreadable', status: 415 },
    });
    expect(validateProbe({ kind: 'no_audio', looksLike: 'video', formatName: 'mp4' })).toMatchObject({
      ok: false,
      rejection: { code: 'no_audio', status: 415, reason: 'video' },
    });
    expect(validateProbe({ kind: 'empty' })).toMatchObject({
      ok: false,
      rejection: { code: 'empty', status: 422 },
    });
  });
});

describe('judgeDecodeCheck', () => {
  const speech = {
    'Number of samples': 30 * 44100,
    'Zero crossings rate': 0.08,
    'RMS level dB': -20,
    'Crest factor': 8,
    'Peak level dB': -1,
  };
  const base = {
    probe,
    headS: 30,
    head: speech,
    headLoudness: { integratedLufs: -23.4, lraLu: 3 },
    tail: { 'Number of samples': 3 * 44100 },
    readsTail: true,
  };

  it('passes speech on and keeps the loudness of its first seconds', () => {
    expect(judgeDecodeCheck(base)).toEqual({ ok: true, probe, headLufs: -23.4 });
    expect(judgeDecodeCheck({ ...base, headLoudness: { integratedLufs: -70, lraLu: 0 } })).toMatchObject({
      ok: true,
      headLufs: undefined,
    });
  });

  it('refuses full-scale white noise (random bytes behind a WAV header)', () => {
    const noise = {
      ...speech,
      'Zero crossings rate': 0.4997,
      'RMS level dB': -4.78,
      'Crest factor': 1.73,
      'Peak level dB': 0,
    };
    expect(judgeDecodeCheck({ ...base, head: noise })).toMatchObject({
      ok: false,
      rejection: { reason: 'noise', status: 415 },
    });
    expect(judgeDecodeCheck({ ...base, head: { ...speech, 'Peak level dB': 300 } })).toMatchObject({
      ok: false,
      rejection: { reason: 'noise' },
    });
  });

  it('refuses a file whose end cannot be decoded, or whose head is shorter than promised', () => {
    expect(judgeDecodeCheck({ ...base, tail: { 'Number of samples': 0 } })).toMatchObject({
      ok: false,
      rejection: { reason: 'truncated' },
    });
    const short = { ...base, probe: { ...probe, durationMs: 15_000 }, readsTail: false, tail: undefined };
    expect(
      judgeDecodeCheck({ ...short, head: { ...speech, 'Number of samples': 7.5 * 44100 } }),
    ).toMatchObject({
      ok: false,
      rejection: { reason: 'truncated' },
    });
    expect(judgeDecodeCheck({ ...short, head: { ...speech, 'Number of samples': 15 * 44100 } }).ok).toBe(
      true,
    );
  });

  it('does not take a short decode for a cut when the decoder drops the pauses of DTX AMR', () => {
    const amr = { ...probe, sampleRate: 8000 };
    const endsInPause = { ...base, probe: amr, tail: { 'Number of samples': 0 } };
    expect(judgeDecodeCheck(endsInPause)).toMatchObject({ ok: false, rejection: { reason: 'truncated' } });
    expect(judgeDecodeCheck({ ...endsInPause, dropsSilenceFrames: true }).ok).toBe(true);
    const short = {
      ...endsInPause,
      probe: { ...amr, durationMs: 20_000 },
      readsTail: false,
      tail: undefined,
    };
    const headEndsInPause = { ...short, head: { ...speech, 'Number of samples': 12 * 8000 } };
    expect(judgeDecodeCheck(headEndsInPause).ok).toBe(false);
    expect(judgeDecodeCheck({ ...headEndsInPause, dropsSilenceFrames: true }).ok).toBe(true);
    // What does not decode at all is still refused.
    expect(
      judgeDecodeCheck({ ...headEndsInPause, head: { 'Number of samples': 0 }, dropsSilenceFrames: true }),
    ).toMatchObject({
      ok: false,
      rejection: { code: 'unreadable' },
    });
  });

  it('sees a header that promises less than the file holds, at the head or at the tail', () => {
    const claimsOneSecond = {
      ...base,
      probe: { ...probe, durationMs: 1000 },
      readsTail: false,
      tail: undefined,
    };
    expect(decodedPastHeader(claimsOneSecond)).toBe(true);
    expect(judgeDecodeCheck(claimsOneSecond).ok).toBe(true);
    expect(
      decodedPastHeader({ ...claimsOneSecond, head: { ...speech, 'Number of samples': 1.2 * 44100 } }),
    ).toBe(false);
    // The tail is read for up to 5 s: a whole file yields about 3, one going on past its end more.
    expect(decodedPastHeader(base)).toBe(false);
    expect(decodedPastHeader({ ...base, tail: { 'Number of samples': 5 * 44100 } })).toBe(true);
    expect(decodedPastHeader({ ...base, tail: { 'Number of samples': 0 } })).toBe(false);
  });

  it('refuses what decodes to nothing at all', () => {
    expect(judgeDecodeCheck({ ...base, head: { 'Number of samples': 0 } })).toMatchObject({
      ok: false,
      rejection: { code: 'unreadable' },
    });
  });
});
