/**
 * How the length of a source is counted, as pure argument builders: a header's duration is a claim,
 * and a file can hold hours behind a header that claims a second. Every count stops at a cap.
 */

const COMMON = ['-nostdin', '-hide_banner', '-nostats', '-v', 'error'] as const;

const seconds = (s: number): string => s.toFixed(3);

/**
 * Reads the packets of the first audio stream without decoding them, up to `maxS` seconds; the
 * position reached is printed by `-progress` on stdout (`parseProgressTimeMs`). Fast, and exact for
 * containers whose header carries no duration (a browser's WebM) or only an estimate (raw AMR).
 *
 * @example buildPacketScanArgs('in.webm', 5402) // [..., '-t', '5402.000', '-i', 'in.webm', '-map', '0:a:0', '-c', 'copy', ...]
 */
export function buildPacketScanArgs(input: string, maxS: number): readonly string[] {
  return [
    ...COMMON,
    '-t',
    seconds(maxS),
    '-i',
    input,
    '-map',
    '0:a:0',
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
  p: { readonly sampleRate: number; readonly maxS: number },
): readonly string[] {
  return [
    ...COMMON,
    '-t',
    seconds(p.maxS),
    '-i',
    input,
    '-map',
    '0:a:0',
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
