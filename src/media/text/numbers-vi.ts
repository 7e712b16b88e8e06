/**
 * Vietnamese number reading, as a broadcaster says it: mốt, tư, lăm after mươi; linh (or lẻ)
 * for a missing tens digit; "không trăm" inside long numbers; nghìn, triệu, tỷ. Pure.
 */

export interface NumberStyle {
  /** The word for an empty tens place: `linh` (northern, radio) or `lẻ` (southern). */
  readonly zeroTens: 'linh' | 'lẻ';
  readonly thousand: 'nghìn' | 'ngàn';
}

export const NORTHERN_STYLE: NumberStyle = { zeroTens: 'linh', thousand: 'nghìn' };
export const SOUTHERN_STYLE: NumberStyle = { zeroTens: 'lẻ', thousand: 'ngàn' };

export const DIGIT_WORDS = ['không', 'một', 'hai', 'ba', 'bốn', 'năm', 'sáu', 'bảy', 'tám', 'chín'] as const;

/** One digit as a word: 0 → "không". */
export const digitWord = (d: number): string => DIGIT_WORDS[d] ?? '';
const digit = digitWord;

/**
 * Reads three digits. `full` reads an empty hundreds place ("không trăm"), as Vietnamese does
 * for every group after the first.
 */
function readTriple(n: number, full: boolean, style: NumberStyle): string[] {
  const h = Math.floor(n / 100);
  const t = Math.floor(n / 10) % 10;
  const u = n % 10;
  const words: string[] = [];
  const hasHundreds = full || h > 0;
  if (hasHundreds) words.push(digit(h), 'trăm');
  if (t === 0) {
    if (u > 0) words.push(...(hasHundreds ? [style.zeroTens, digit(u)] : [digit(u)]));
  } else if (t === 1) {
    words.push('mười');
    if (u === 5) words.push('lăm');
    else if (u > 0) words.push(digit(u));
  } else {
    words.push(digit(t), 'mươi');
    if (u === 1) words.push('mốt');
    else if (u === 4) words.push('tư');
    else if (u === 5) words.push('lăm');
    else if (u > 0) words.push(digit(u));
  }
  return words;
}

/** Reads up to nine digits (below one tỷ); zero groups are skipped, later groups read in full. */
function readBelowBillion(digits: string, leading: boolean, style: NumberStyle): string[] {
  const scales = ['', style.thousand, 'triệu'];
  const padded = digits.padStart(Math.ceil(digits.length / 3) * 3, '0');
  const groups: number[] = [];
  for (let i = 0; i < padded.length; i += 3) groups.push(Number(padded.slice(i, i + 3)));
  const words: string[] = [];
  let first = leading;
  groups.forEach((g, i) => {
    if (g === 0) return;
    words.push(...readTriple(g, !first, style));
    const scale = scales[groups.length - 1 - i];
    if (scale) words.push(scale);
    first = false;
  });
  return words;
}

/**
 * Reads an integer, given as a number or as digits of any length (negative: "âm").
 *
 * @example readNumber(2026) // 'hai nghìn không trăm hai mươi sáu'
 * @example readNumber('1500000') // 'một triệu năm trăm nghìn'
 * @example readNumber(105, SOUTHERN_STYLE) // 'một trăm lẻ năm'
 */
export function readNumber(value: number | string, style: NumberStyle = NORTHERN_STYLE): string {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`not a whole number: ${value}`);
    if (value < 0) return `âm ${readNumber(-value, style)}`;
    return readNumber(String(value), style);
  }
  const clean = value.replace(/^0+(?=\d)/, '');
  if (!/^\d+$/.test(clean)) throw new Error(`not an integer: ${value}`);
  if (/^0+$/.test(clean)) return digit(0);
  return readFrom(clean, true, style).join(' ');
}

function readFrom(digits: string, leading: boolean, style: NumberStyle): string[] {
  if (digits.length <= 9) return readBelowBillion(digits, leading, style);
  // Above nine digits Vietnamese counts in tỷ: 10^12 is "một nghìn tỷ".
  const high = digits.slice(0, -9);
  const low = digits.slice(-9);
  const words = [...readFrom(high, leading, style), 'tỷ'];
  if (/[1-9]/.test(low)) words.push(...readBelowBillion(low, false, style));
  return words;
}

/** Reads each digit: phone numbers, identity numbers, codes. */
export function readDigits(digits: string): string {
  return [...digits]
    .filter((c) => c >= '0' && c <= '9')
    .map((c) => digit(Number(c)))
    .join(' ');
}

/**
 * Reads a decimal with "phẩy": leading zeros of the fraction one by one, the rest as a number
 * when short (Vietnamese reads 3,14 as "ba phẩy mười bốn"), digit by digit when longer.
 *
 * @example readDecimal('2', '5') // 'hai phẩy năm'
 * @example readDecimal('0', '05') // 'không phẩy không năm'
 */
export function readDecimal(integer: string, fraction: string, style: NumberStyle = NORTHERN_STYLE): string {
  const zeros = /^0*/.exec(fraction)?.[0] ?? '';
  const rest = fraction.slice(zeros.length);
  const parts = [readNumber(integer, style), 'phẩy', ...[...zeros].map(() => digit(0))];
  if (rest) parts.push(rest.length <= 3 ? readNumber(rest, style) : readDigits(rest));
  return parts.join(' ');
}
