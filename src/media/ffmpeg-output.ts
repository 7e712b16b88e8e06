/**
 * Pure parsers for what ffmpeg prints: `ebur128` and `astats` summaries on stderr and
 * `-progress` lines on stdout. Filters are given ids (`ebur128@out`) so that several instances in
 * one run can be told apart: ffmpeg prefixes their log lines with `[ebur128@out @ 0x…]`.
 */

export interface Ebur128Summary {
  /** Integrated loudness, LUFS; -70 when nothing passes the absolute gate (silence). */
  readonly integratedLufs: number;
  readonly lraLu: number;
  /** Present when the filter ran with `peak=true`. */
  readonly truePeakDbtp?: number;
  /** Present when the filter ran with `peak=sample`. */
  readonly samplePeakDbfs?: number;
}

const prefixPattern = /^\[([^\]\s]+) @ 0x[0-9a-f]+\] ?(.*)$/i;

function toNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim().toLowerCase();
  if (t === '-inf') return Number.NEGATIVE_INFINITY;
  if (t === 'inf' || t === '+inf') return Number.POSITIVE_INFINITY;
  const n = Number.parseFloat(t);
  return Number.isNaN(n) ? undefined : n;
}

/** The lines of the block that follows `[name @ 0x…] Summary:` up to the next prefixed line. */
function summaryBlock(stderr: string, instance: string): string[] | undefined {
  const lines = stderr.split(/\r?\n/);
  let found: string[] | undefined;
  for (let i = 0; i < lines.length; i++) {
    const m = prefixPattern.exec(lines[i] ?? '');
    if (!m || m[1] !== instance || m[2]?.trim() !== 'Summary:') continue;
    const block: string[] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j] ?? '';
      if (prefixPattern.test(line)) break;
      block.push(line);
    }
    found = block; // the last summary wins, should a filter print twice
  }
  return found;
}

/**
 * Reads the summary an `ebur128` filter prints when the stream ends.
 *
 * @param instance the filter's name in the graph: `ebur128@out` for `-af ebur128@out=…`,
 *   `Parsed_ebur128_0` for an unnamed first filter.
 * @example
 * parseEbur128Summary(stderr, 'ebur128@out')
 * // { integratedLufs: -16.1, lraLu: 4.2, truePeakDbtp: -2.3 }
 */
export function parseEbur128Summary(stderr: string, instance: string): Ebur128Summary | undefined {
  const block = summaryBlock(stderr, instance);
  if (!block) return undefined;
  let section = '';
  const values: { i?: number; lra?: number; truePeak?: number; samplePeak?: number } = {};
  for (const raw of block) {
    const line = raw.trim();
    if (/^[A-Za-z][A-Za-z ]*:$/.test(line)) section = line;
    const m = /^(I|LRA|Peak):\s+(\S+)/.exec(line);
    if (!m) continue;
    const value = toNumber(m[2]);
    if (value === undefined) continue;
    if (m[1] === 'I') values.i = value;
    else if (m[1] === 'LRA') values.lra = value;
    else if (section.startsWith('True peak')) values.truePeak = value;
    else if (section.startsWith('Sample peak')) values.samplePeak = value;
  }
  if (values.i === undefined || values.lra === undefined) return undefined;
  return {
    integratedLufs: values.i,
    lraLu: values.lra,
    ...(values.truePeak !== undefined ? { truePeakDbtp: values.truePeak } : {}),
    ...(values.samplePeak !== undefined ? { samplePeakDbfs: values.samplePeak } : {}),
  };
}

/** Statistics an `astats` filter prints, keyed by ffmpeg's own labels. */
export type AstatsValues = Readonly<Record<string, number>>;

/**
 * Reads an `astats` summary: the first channel's block (the pipeline downmixes to mono first),
 * completed by the `Overall` block for what only it carries (`Number of samples`).
 *
 * @example parseAstats(stderr, 'astats@head')?.['Zero crossings rate'] // 0.09
 */
export function parseAstats(stderr: string, instance: string): AstatsValues | undefined {
  const channel: Record<string, number> = {};
  const overall: Record<string, number> = {};
  let block: Record<string, number> | undefined;
  let seen = false;
  for (const line of stderr.split(/\r?\n/)) {
    const m = prefixPattern.exec(line);
    if (!m || m[1] !== instance) continue;
    const body = (m[2] ?? '').trim();
    if (body === 'Channel: 1') {
      block = channel;
      seen = true;
    } else if (/^Channel: \d+$/.test(body)) block = undefined;
    else if (body === 'Overall') {
      block = overall;
      seen = true;
    } else if (block) {
      const kv = /^([^:]+):\s*(\S+)/.exec(body);
      const value = toNumber(kv?.[2]);
      if (kv?.[1] && value !== undefined) block[kv[1].trim()] = value;
    }
  }
  return seen ? { ...overall, ...channel } : undefined;
}

/**
 * The position ffmpeg reached, from `-progress pipe:1` output, in milliseconds.
 *
 * @example parseProgressTimeMs('out_time_us=12340000\nprogress=end\n') // 12340
 */
export function parseProgressTimeMs(progress: string): number | undefined {
  let last: number | undefined;
  for (const m of progress.matchAll(/^out_time_(us|ms)=(\d+)\s*$/gm)) {
    // ffmpeg prints microseconds under both keys (out_time_ms is misnamed).
    last = Number(m[2]) / 1000;
  }
  return last;
}
