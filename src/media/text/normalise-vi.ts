import { abbreviationsVi } from './abbreviations-vi.js';
import { NORTHERN_STYLE, readDecimal, readDigits, readNumber, type NumberStyle } from './numbers-vi.js';

/**
 * Rewrites a Vietnamese notice for a speech engine, as a cadre would read it on the loudspeaker:
 * phone numbers digit by digit, dates, times, numbers (with "phẩy", thousands separators and the
 * Vietnamese readings mốt, tư, lăm, linh), units, currency and administrative abbreviations
 * become words. Pure; the result is NFC.
 *
 * Passes run in a fixed order, each on what the previous left, so that a pass never sees digits
 * another has already read (a phone number is not read as a date, a date not as a fraction).
 */

// Letters and digits of any script: "TP" inside "TPHCM", or "5" inside "H5N1", is not a token.
const W = String.raw`[\p{L}\p{N}]`;
const START = `(?<!${W})`;
const END = `(?!${W})`;

/** A number as written in Vietnamese: 1.500.000 | 1.500.000,5 | 2,5 | 2.5 | 1500. */
const NUM = String.raw`\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?`;

/** Reads one number token. A leading zero on four or more digits makes it a code, read digit by digit. */
function readNumberToken(raw: string, style: NumberStyle): string {
  const vi = /^(\d{1,3}(?:\.\d{3})+)(?:,(\d+))?$/.exec(raw);
  if (vi?.[1]) {
    const integer = vi[1].replace(/\./g, '');
    return vi[2] ? readDecimal(integer, vi[2], style) : readNumber(integer, style);
  }
  const decimal = /^(\d+)[.,](\d+)$/.exec(raw);
  if (decimal?.[1] && decimal[2]) return readDecimal(decimal[1], decimal[2], style);
  if ((raw.startsWith('0') && raw.length >= 4) || raw.length > 15) return readDigits(raw);
  return readNumber(raw, style);
}

const monthWord = (m: number, style: NumberStyle): string => (m === 4 ? 'tư' : readNumber(m, style));

const UNITS: readonly (readonly [string, string])[] = [
  ['km/h', 'ki-lô-mét một giờ'],
  ['km²', 'ki-lô-mét vuông'],
  ['km2', 'ki-lô-mét vuông'],
  ['km', 'ki-lô-mét'],
  ['m²', 'mét vuông'],
  ['m2', 'mét vuông'],
  ['m³', 'mét khối'],
  ['m3', 'mét khối'],
  ['cm', 'xăng-ti-mét'],
  ['mm', 'mi-li-mét'],
  ['ha', 'héc-ta'],
  ['kg', 'ki-lô-gam'],
  ['mg', 'mi-li-gam'],
  ['ml', 'mi-li-lít'],
  ['kWh', 'ki-lô-oát giờ'],
  ['kW', 'ki-lô-oát'],
  ['°C', 'độ C'],
  ['oC', 'độ C'],
  ['độ C', 'độ C'],
  ['m', 'mét'],
  ['g', 'gam'],
  ['%', 'phần trăm'],
];
const CURRENCY = ['VNĐ', 'VND', 'vnđ', 'vnd', 'đồng', 'đ'];

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const alternatives = (words: readonly string[]): string =>
  [...words]
    .sort((a, b) => b.length - a.length)
    .map(escape)
    .join('|');

const unitWord = new Map(UNITS);
const unitPattern = new RegExp(
  `${START}(${NUM})\\s?(${alternatives(UNITS.map(([u]) => u))})(?![\\p{L}\\p{N}])`,
  'gu',
);
const currencyPattern = new RegExp(`${START}(${NUM})\\s?(${alternatives(CURRENCY)})${END}`, 'gu');

function abbreviationPattern(table: Readonly<Record<string, string>>): RegExp {
  return new RegExp(`${START}(${alternatives(Object.keys(table))})(?!${W})`, 'gu');
}
const defaultAbbreviations = abbreviationPattern(abbreviationsVi);

export interface NormaliseOptions {
  readonly style?: NumberStyle;
  /** Replaces the abbreviation table, e.g. `{ ...abbreviationsVi, HTXNN: 'hợp tác xã nông nghiệp' }`. */
  readonly abbreviations?: Readonly<Record<string, string>>;
}

/** Groups of a phone number as typed, or 4-3-3… when typed without separators. */
function phoneGroups(typed: string): string[] {
  const groups = typed.split(/[ .-]/).filter(Boolean);
  if (groups.length > 1) return groups;
  const digits = groups[0] ?? '';
  const out = [digits.slice(0, 4)];
  for (let i = 4; i < digits.length; i += 3) out.push(digits.slice(i, i + 3));
  return out;
}

/** A line break ends a sentence (the engine pauses there); list bullets are dropped. */
function joinLines(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim().replace(/^[-•*–]\s+/, ''))
    .filter(Boolean);
  return lines
    .map((line, i) => (i === lines.length - 1 || /[.!?:;,…]$/.test(line) ? line : `${line}.`))
    .join(' ');
}

/**
 * @example
 * normaliseVi('UBND xã họp lúc 7h30 ngày 26/11/2026, gọi 0912 345 678.')
 * // 'Ủy ban nhân dân xã họp lúc bảy giờ ba mươi phút ngày hai mươi sáu tháng mười một năm hai
 * //  nghìn không trăm hai mươi sáu, gọi không chín một hai, ba bốn năm, sáu bảy tám.'
 */
export function normaliseVi(input: string, options: NormaliseOptions = {}): string {
  const style = options.style ?? NORTHERN_STYLE;
  const num = (raw: string): string => readNumberToken(raw, style);
  let text = joinLines(input.normalize('NFC')).replace(/[ \t\u00a0]+/g, ' ');

  // Phone numbers: 0 or +84 and 8–10 more digits, grouped as typed; hotlines 1800/1900.
  text = text.replace(
    new RegExp(`(?<![\\p{L}\\p{N}+])(\\+84[ .-]?|0)(\\d(?:[ .-]?\\d){7,9})${END}`, 'gu'),
    (_m, prefix: string, rest: string) => {
      const head = prefix.startsWith('+') ? 'cộng tám tư' : 'không';
      const groups = prefix.startsWith('+') ? phoneGroups(rest) : phoneGroups(`0${rest}`);
      return (prefix.startsWith('+') ? [head, ...groups.map(readDigits)] : groups.map(readDigits)).join(', ');
    },
  );
  text = text.replace(new RegExp(`${START}(1[89]00)[ .]?(\\d{3,4})(?:[ .]?(\\d{2,4}))?${END}`, 'gu'), (m) =>
    phoneGroups(m).map(readDigits).join(', '),
  );

  // Dates with a year: 26/11/2026, 26-11-2026, 26.11.2026 ("ngày" added unless it is there).
  text = text.replace(
    new RegExp(`(ngày\\s+)?${START}(\\d{1,2})([/.-])(\\d{1,2})\\3(\\d{4})${END}`, 'giu'),
    (m, said: string | undefined, d: string, _sep: string, mo: string, y: string) => {
      const [day, month] = [Number(d), Number(mo)];
      if (day < 1 || day > 31 || month < 1 || month > 12) return m;
      return `${said ?? 'ngày '}${readNumber(day, style)} tháng ${monthWord(month, style)} năm ${readNumber(y, style)}`;
    },
  );

  // Ranges: 7-9 giờ, 7h-9h, 2020–2025, 26/11 - 15/12 → "đến".
  text = text.replace(/(?<=\d[h']?)\s*[-–]\s*(?=\d)/gu, ' đến ');

  // Day and month: 26/11; month and year: 11/2026.
  text = text.replace(
    new RegExp(`(ngày\\s+)?${START}(\\d{1,2})/(\\d{1,2})(?![\\p{L}\\p{N}/])`, 'giu'),
    (m, said: string | undefined, d: string, mo: string) => {
      const [day, month] = [Number(d), Number(mo)];
      if (day < 1 || day > 31 || month < 1 || month > 12) return m;
      return `${said ?? 'ngày '}${readNumber(day, style)} tháng ${monthWord(month, style)}`;
    },
  );
  text = text.replace(
    new RegExp(`(tháng\\s+)?${START}(\\d{1,2})/(\\d{4})(?![\\p{L}\\p{N}/])`, 'giu'),
    (m, said: string | undefined, mo: string, y: string) => {
      const month = Number(mo);
      if (month < 1 || month > 12) return m;
      return `${said ?? 'tháng '}${monthWord(month, style)} năm ${readNumber(y, style)}`;
    },
  );

  // Times: 07:30, 07:30:15, 7h30, 7g30, 7 giờ 30 (phút), 7h.
  const time = (h: string, mi?: string, s?: string): string | undefined => {
    const [hour, minute, second] = [Number(h), Number(mi ?? 0), Number(s ?? 0)];
    if (hour > 24 || minute > 59 || second > 59) return undefined;
    const parts = [`${readNumber(hour, style)} giờ`];
    if (minute > 0 || second > 0) parts.push(`${readNumber(minute, style)} phút`);
    if (second > 0) parts.push(`${readNumber(second, style)} giây`);
    return parts.join(' ');
  };
  text = text.replace(
    new RegExp(`${START}(\\d{1,2}):(\\d{2})(?::(\\d{2}))?(?:\\s*phút)?${END}`, 'gu'),
    (m, h: string, mi: string, s?: string) => time(h, mi, s) ?? m,
  );
  text = text.replace(
    new RegExp(`${START}(\\d{1,2})\\s?(?:h|g|giờ)\\s?(\\d{1,2})(?:\\s?(?:phút|p|'))?${END}`, 'gu'),
    (m, h: string, mi: string) => time(h, mi) ?? m,
  );
  text = text.replace(new RegExp(`${START}(\\d{1,2})\\s?h${END}`, 'gu'), (m, h: string) => time(h) ?? m);

  // A minus sign before a number (not a range, which was read above): −3 °C.
  text = text.replace(/(?<=^|[\s(])[-−](?=\d)/gu, 'âm ');

  // Money and units after a number.
  text = text.replace(currencyPattern, (_m, n: string) => `${num(n)} đồng`);
  text = text.replace(
    unitPattern,
    (_m, n: string, unit: string) => `${num(n)} ${unitWord.get(unit) ?? unit}`,
  );

  // Ordinals and months said with a number: thứ 4 → thứ tư, thứ 1 → thứ nhất, tháng 4 → tháng tư.
  text = text.replace(
    /(?<![\p{L}\p{N}])(thứ|Thứ|THỨ)\s+(\d{1,2})(?![\p{N}])/gu,
    (_m, w: string, n: string) => `${w} ${n === '1' ? 'nhất' : n === '4' ? 'tư' : readNumber(n, style)}`,
  );
  text = text.replace(
    /(?<![\p{L}\p{N}])(tháng|Tháng|THÁNG)\s+(\d{1,2})(?![\p{N}])/gu,
    (_m, w: string, n: string) => `${w} ${monthWord(Number(n), style)}`,
  );

  // Whatever numbers are left: fractions and document numbers (15/2020 → "mười lăm trên …").
  text = text.replace(
    new RegExp(`${START}(${NUM})\\s?/\\s?(${NUM})${END}`, 'gu'),
    (_m, a: string, b: string) => `${num(a)} trên ${num(b)}`,
  );
  text = text.replace(new RegExp(`${START}(${NUM})(?![\\p{N}])`, 'gu'), (_m, n: string) => num(n));

  // Abbreviations, marked so that "QĐ-UBND" becomes two phrases rather than a hyphenated word.
  const table = options.abbreviations ?? abbreviationsVi;
  const pattern = options.abbreviations ? abbreviationPattern(table) : defaultAbbreviations;
  text = text
    .replace(pattern, (m) => `\u0001${table[m] ?? m}\u0002`)
    .replace(/\u0002[-/]\u0001/g, ' ')
    .replace(/[\u0001\u0002]/g, '');

  return text
    .replace(/\s*&\s*/g, ' và ')
    .replace(/[()[\]{}]/g, ', ')
    .replace(/(?<=\p{L})\/(?=\p{L})/gu, ' ')
    .replace(/\s+([,.;:!?])/g, '$1')
    .replace(/([,;:])(?:\s*[,;:])+/g, '$1')
    .replace(/^[,\s]+/, '')
    .replace(/\s{2,}/g, ' ')
    .trim()
    .normalize('NFC');
}
