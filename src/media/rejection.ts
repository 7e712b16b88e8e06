import type { AudioRejection, AudioRejectionCode } from '../domain/ports/audio.js';

export { AudioRejectedError } from '../domain/ports/audio.js';
export type { AudioRejection };

/** The kind of refusal each code is: 415 not audio that can be read, 422 beyond the limits or empty. */
const STATUS: Readonly<Record<AudioRejectionCode, 415 | 422>> = {
  no_audio: 415,
  unreadable: 415,
  empty: 422,
  too_long: 422,
  too_many_channels: 422,
  not_processed: 422,
};

const ACCEPTED = 'MP3, M4A, WAV, OGG, WebM, AMR, FLAC';

function make(
  code: AudioRejectionCode,
  message: string,
  messageEn: string,
  reason?: AudioRejection['reason'],
): AudioRejection {
  return { code, status: STATUS[code], message, messageEn, ...(reason ? { reason } : {}) };
}

/**
 * "3 giờ 15 phút", "95 phút", "4 phút 20 giây" and their English; hours only from two hours up.
 * A lower bound keeps its seconds and is rounded down, so that "at least" is never an overstatement.
 *
 * @example formatDuration(5_402_500, { lowerBound: true }) // { vi: '90 phút 2 giây', en: '90 min 2 s' }
 */
export function formatDuration(
  ms: number,
  opts: { readonly lowerBound?: boolean } = {},
): { readonly vi: string; readonly en: string } {
  const totalS = opts.lowerBound ? Math.floor(ms / 1000) : Math.round(ms / 1000);
  const totalM = Math.floor(totalS / 60);
  const s = totalS % 60;
  const seconds = opts.lowerBound && s > 0 ? { vi: ` ${s} giây`, en: ` ${s} s` } : { vi: '', en: '' };
  if (totalS >= 2 * 3600) {
    const h = Math.floor(totalM / 60);
    const m = totalM % 60;
    const minutes = m > 0 ? { vi: ` ${m} phút`, en: ` ${m} min` } : { vi: '', en: '' };
    return { vi: `${h} giờ${minutes.vi}${seconds.vi}`, en: `${h} h${minutes.en}${seconds.en}` };
  }
  if ((totalM >= 10 && !opts.lowerBound) || s === 0) return { vi: `${totalM} phút`, en: `${totalM} min` };
  return { vi: `${totalM} phút ${s} giây`, en: `${totalM} min ${s} s` };
}

/** The refusals the pipeline can give, one function per case. */
export const rejections = {
  empty: (): AudioRejection =>
    make(
      'empty',
      'Tệp tải lên không có dữ liệu (0 byte). Hãy ghi âm lại hoặc chọn đúng tệp ghi âm rồi tải lên lần nữa.',
      'The uploaded file is empty (0 bytes). Record again, or choose the right file and upload it again.',
    ),
  silent: (): AudioRejection =>
    make(
      'empty',
      'Bản ghi chỉ có im lặng, không nghe thấy tiếng nói. Hãy kiểm tra micrô của điện thoại rồi ghi âm lại.',
      "The recording is silent: no speech can be heard. Check the phone's microphone and record again.",
      'silent',
    ),
  tooShort: (minMs: number): AudioRejection =>
    make(
      'empty',
      `Bản ghi quá ngắn (dưới ${(minMs / 1000).toLocaleString('vi-VN')} giây), không có gì để phát. Hãy ghi âm lại trọn thông báo rồi gửi.`,
      `The recording is too short (under ${minMs / 1000} s): there is nothing to broadcast. Record the whole announcement and send it again.`,
    ),
  unreadable: (): AudioRejection =>
    make(
      'unreadable',
      `Không đọc được tệp này: tệp không phải âm thanh hoặc đã bị hỏng. Hãy gửi tệp ghi âm gốc từ điện thoại (${ACCEPTED}).`,
      `This file cannot be read: it is not audio, or it is damaged. Send the original recording from the phone (${ACCEPTED}).`,
    ),
  truncated: (): AudioRejection =>
    make(
      'unreadable',
      'Tệp âm thanh bị thiếu phần cuối, có thể do tải lên chưa xong hoặc tệp bị hỏng. Hãy tải lên lại tệp đầy đủ.',
      'The audio file is cut short, probably by an unfinished upload or a damaged file. Upload the complete file again.',
      'truncated',
    ),
  noise: (): AudioRejection =>
    make(
      'unreadable',
      'Tệp có phần đầu giống tệp âm thanh nhưng nội dung chỉ là nhiễu, không phải tiếng nói; tệp có thể đã hỏng khi sao chép. Hãy gửi lại tệp ghi âm gốc.',
      'The file starts like an audio file but holds only noise, not speech; it may have been damaged when copied. Send the original recording again.',
      'noise',
    ),
  noAudio: (kind: 'image' | 'video' | 'other'): AudioRejection =>
    kind === 'image'
      ? make(
          'no_audio',
          `Tệp này là hình ảnh, không có âm thanh. Hãy chọn tệp ghi âm (${ACCEPTED}) để tải lên.`,
          `This file is a picture, with no sound. Choose a recording (${ACCEPTED}) to upload.`,
          'image',
        )
      : kind === 'video'
        ? make(
            'no_audio',
            'Tệp video này không có tiếng. Hãy chọn tệp ghi âm, hoặc một video có tiếng.',
            'This video has no sound. Choose a recording, or a video with sound.',
            'video',
          )
        : make(
            'no_audio',
            `Tệp này không chứa âm thanh. Hãy chọn tệp ghi âm (${ACCEPTED}) để tải lên.`,
            `This file contains no audio. Choose a recording (${ACCEPTED}) to upload.`,
          ),
  /**
   * @param opts.atLeast the duration was counted by a decode stopped past the limit (the header
   *   claimed less), so it is only known to be at least this long
   */
  tooLong: (durationMs: number, maxMs: number, opts: { readonly atLeast?: boolean } = {}): AudioRejection => {
    const actual = formatDuration(durationMs, { lowerBound: opts.atLeast === true });
    const max = formatDuration(maxMs);
    const vi = opts.atLeast ? `ít nhất ${actual.vi}` : actual.vi;
    const en = opts.atLeast ? `at least ${actual.en}` : actual.en;
    return make(
      'too_long',
      `Bản ghi dài ${vi}, vượt quá giới hạn ${max.vi}. Hãy cắt thành các đoạn ngắn hơn ${max.vi} rồi tải lên từng đoạn.`,
      `The recording lasts ${en}, more than the ${max.en} limit. Cut it into parts shorter than ${max.en} and upload each part.`,
    );
  },
  tooManyChannels: (channels: number, max: number): AudioRejection =>
    make(
      'too_many_channels',
      `Tệp có ${channels} kênh âm thanh, hệ thống chỉ nhận tối đa ${max} kênh. Hãy xuất lại tệp ở dạng mono hoặc stereo rồi tải lên.`,
      `The file has ${channels} audio channels; at most ${max} are accepted. Export it again as mono or stereo and upload it.`,
    ),
  /** Sent as processed but not an MP3 (or no audio at all): the receivers play MP3 only. */
  notProcessedCodec: (): AudioRejection =>
    make(
      'not_processed',
      'Tệp gửi lên không phải bản MP3 đã xử lý mà máy thu cần. Hãy gửi lại bản ghi gốc để hệ thống tự xử lý.',
      'The file sent as processed is not the mono MP3 the receivers play. Send the original recording instead, and it will be processed.',
      'codec',
    ),
  /** Sent as processed, but its loudness or true peak is off the commune's targets. */
  notProcessedLevel: (
    measured: { readonly integratedLufs: number; readonly truePeakDbtp: number },
    targets: { readonly integratedLufs: number; readonly truePeakDbtp: number; readonly toleranceLu: number },
  ): AudioRejection => {
    const peak = measured.truePeakDbtp > targets.truePeakDbtp;
    const lufs = measured.integratedLufs.toFixed(1);
    const tp = measured.truePeakDbtp.toFixed(1);
    return make(
      'not_processed',
      peak
        ? `Bản đã xử lý có đỉnh ${tp} dBTP, cao hơn mức cho phép ${targets.truePeakDbtp} dBTP. Hãy gửi lại bản ghi gốc để hệ thống tự xử lý.`
        : `Bản đã xử lý có độ to ${lufs} LUFS, lệch khỏi mức ${targets.integratedLufs} LUFS (±${targets.toleranceLu}). Hãy gửi lại bản ghi gốc để hệ thống tự xử lý.`,
      peak
        ? `The processed file peaks at ${tp} dBTP, above the ceiling of ${targets.truePeakDbtp} dBTP. Send the original recording instead.`
        : `The processed file measures ${lufs} LUFS, off the target of ${targets.integratedLufs} LUFS (±${targets.toleranceLu}). Send the original recording instead.`,
      peak ? 'peak' : 'loudness',
    );
  },
} as const;
