/**
 * The quick decode check at the upload as data: the argument list that reads the first and the
 * last seconds of a source. `inspect.ts` runs it and judges what it printed.
 */
import { decoderArgs, gapFilling, type SourceDecoding } from './decoding.js';
import { COMMON, EBUR128, FILTER_IDS, SPEECH_BAND, TO_WORK_FORMAT } from './pipeline-args.js';
import type { SourceProbe } from './probe.js';

export interface DecodeCheckPlan {
  readonly args: readonly string[];
  /** Whether a second input reads the last seconds, i.e. `astats@tail` will be printed. */
  readonly readsTail: boolean;
}

/**
 * How much more than `tailS` the tail read may decode: a file that goes on past the end its header
 * claims shows itself by filling this, and a lying header cannot make the read last hours.
 */
export const TAIL_OVERRUN_S = 2;

/**
 * The quick decode check: statistics and loudness of the first `headS` seconds, and how many
 * samples decode from the last `tailS` seconds. A truncated MP3 or M4A has a header that
 * promises more than the file holds: seeking to its end decodes nothing. A header that promises
 * less than the file holds shows itself the other way: the head decodes more than the whole
 * promised, or the tail goes on past `tailS` (both reads are capped, so this costs seconds).
 *
 * A duration counted from the packets (`durationFrom: 'packets'`) promises nothing, so its end is
 * not read.
 */
export function buildDecodeCheckArgs(
  input: string,
  probe: SourceProbe,
  opts: { readonly headS?: number; readonly tailS?: number; readonly decoding?: SourceDecoding } = {},
): DecodeCheckPlan {
  const headS = opts.headS ?? 30;
  const tailS = opts.tailS ?? 3;
  const decoder = decoderArgs(opts.decoding);
  const fill = gapFilling(opts.decoding);
  // From headS - tailS up, the head could not tell a header that promises a little less than it.
  const readsTail = probe.durationFrom !== 'packets' && probe.durationMs > (headS - tailS) * 1000;
  // Statistics at the source's own rate (pinned: ffmpeg would otherwise resample before them),
  // since the zero-crossing rate of noise depends on it and sample counts are compared with it.
  const atSourceRate = `aformat=sample_fmts=dbl:sample_rates=${probe.sampleRate}:channel_layouts=mono`;
  const head =
    `[0:a:0]${fill}${atSourceRate},${FILTER_IDS.headStats},` +
    `${TO_WORK_FORMAT},${SPEECH_BAND},${FILTER_IDS.headLoudness}=${EBUR128}[head]`;
  const tail = `[1:a:0]${fill}${atSourceRate},${FILTER_IDS.tailStats}[tail]`;
  const args = [
    ...COMMON,
    ...decoder,
    '-t',
    String(headS),
    '-i',
    input,
    ...(readsTail
      ? [...decoder, '-sseof', `-${tailS}`, '-t', String(tailS + TAIL_OVERRUN_S), '-i', input]
      : []),
    '-filter_complex',
    readsTail ? `${head};${tail}` : head,
    '-map',
    '[head]',
    '-f',
    'null',
    '-',
    ...(readsTail ? ['-map', '[tail]', '-f', 'null', '-'] : []),
  ];
  return { args, readsTail };
}
