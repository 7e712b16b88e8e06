/**
 * How a source is decoded and how its length is counted, as pure data: which decoder to force,
 * how to fill the time of frames a decoder drops, and the capped counts (a header's duration is a
 * claim, and a file can hold hours behind a header that claims a second).
 */

const COMMON = ['-nostdin', '-hide_banner', '-nostats', '-v', 'error'] as const;

const seconds = (s: number): string => s.toFixed(3);

/** How ffmpeg is to decode one source. */
export interface SourceDecoding {
  /** Decoder forced on the input (`-c:a` before `-i`); ffmpeg's default when absent. */
  readonly decoder?: string;
  /**
   * The decoder outputs nothing for some frames that stand for time: the built-in AMR-NB decoder
   * fails on the silence descriptors (SID) and empty frames of discontinuous transmission, with
   * which phones send their pauses. The time of the gaps is then filled with silence from the
   * timestamps, and a recording that ends in a pause decodes shorter than it lasts.
   */
  readonly dropsSilenceFrames?: boolean;
}

/**
 * Picks the decoder for a codec among those an ffmpeg has: for AMR-NB, `libopencore_amrnb`, which
 * decodes silence descriptors into comfort noise, rather than the built-in `amrnb`, which logs
 * "dtx mode is not implemented" and drops them (a 54 s recording with pauses decoded to 35 s).
 *
 * @example chooseDecoding('amr_nb', new Set(['amrnb', 'libopencore_amrnb'])) // { decoder: 'libopencore_amrnb' }
 * @example chooseDecoding('amr_nb', new Set(['amrnb'])) // { dropsSilenceFrames: true }
 */
export function chooseDecoding(codec: string, decoders: ReadonlySet<string>): SourceDecoding {
  if (codec !== 'amr_nb') return {};
  return decoders.has('libopencore_amrnb') ? { decoder: 'libopencore_amrnb' } : { dropsSilenceFrames: true };
}

/** Input options that force the decoder, to go right before an `-i`. */
export function decoderArgs(decoding: SourceDecoding = {}): readonly string[] {
  return decoding.decoder ? ['-c:a', decoding.decoder] : [];
}

/**
 * Filters that come first on a decoded source, as a prefix of a filter chain (comma included): for
 * a decoder that drops frames, silence in their place from time 0 on, wherever a gap reaches 10 ms
 * (an AMR frame lasts 20 ms).
 */
export function gapFilling(decoding: SourceDecoding = {}): string {
  return decoding.dropsSilenceFrames ? 'aresample=async=1:min_hard_comp=0.01:first_pts=0,' : '';
}

/**
 * Reads the packets of the first audio stream without decoding them, up to `maxS` seconds; the
 * position reached is printed by `-progress` on stdout (`parseProgressTimeMs`). Fast, and exact for
 * containers whose header carries no duration (a browser's WebM) or only an estimate from the
 * bit rate (raw AMR, whose pauses are sent in 1-byte frames). The cap is an output option: as an
 * input option with stream copy, the ffmpeg 4.1 of the npm package reports no progress for raw AMR.
 *
 * @example buildPacketScanArgs('in.webm', 5402) // [..., '-i', 'in.webm', '-map', '0:a:0', '-t', '5402.000', '-c', 'copy', ...]
 */
export function buildPacketScanArgs(input: string, maxS: number): readonly string[] {
  return [
    ...COMMON,
    '-i',
    input,
    '-map',
    '0:a:0',
    '-t',
    seconds(maxS),
    '-c',
    'copy',
    '-progress',
    'pipe:1',
    '-f',
    'null',
    '-',
  ];
}

/**
 * Decodes the first audio stream to mono 16-bit PCM at `sampleRate` on stdout, up to `maxS`
 * seconds, for the caller to count: bytes / 2 / rate is the decoded length. `-t` stops the reading
 * by timestamps; the caller also stops the run once it has counted `maxS` of samples, in case the
 * timestamps lie as well.
 */
export function buildCountArgs(
  input: string,
  p: { readonly sampleRate: number; readonly maxS: number; readonly decoding?: SourceDecoding },
): readonly string[] {
  const fill = gapFilling(p.decoding);
  return [
    ...COMMON,
    ...decoderArgs(p.decoding),
    '-t',
    seconds(p.maxS),
    '-i',
    input,
    '-map',
    '0:a:0',
    ...(fill ? ['-af', fill.slice(0, -1)] : []),
    '-c:a',
    'pcm_s16le',
    '-ac',
    '1',
    '-ar',
    String(p.sampleRate),
    '-flush_packets',
    '0',
    '-f',
    's16le',
    'pipe:1',
  ];
}
