const digits = ['không', 'một', 'hai', 'ba', 'bốn', 'năm', 'sáu', 'bảy', 'tám', 'chín'] as const;
const scales = ['', 'nghìn', 'triệu', 'tỷ'] as const;

/** One digit word: `0` → `không`. */
export const digitWord = (d: number): string => digits[d]!;

/**
 * A group of three digits as spoken. `full` groups (any but the leading one) say their zeros:
 * 5 → "không trăm linh năm", as in "một nghìn không trăm linh năm".
 */
function readTriple(n: number, full: boolean): string {
  const hundreds = Math.floor(n / 100);
  const tens = Math.floor((n % 100) / 10);
  const units = n % 10;
  const words: string[] = [];
  if (hundreds > 0 || full) words.push(digits[hundreds]!, 'trăm');
  if (tens === 0) {
    if (units > 0 && (hundreds > 0 || full)) words.push('linh', digits[units]!);
    else if (units > 0) words.push(digits[units]!);
    return words.join(' ');
  }
  words.push(tens === 1 ? 'mười' : `${digits[tens]} mươi`);
  if (units === 1 && tens > 1) words.push('mốt');
  else if (units === 4 && tens > 1) words.push('tư');
  else if (units === 5) words.push('lăm');
  else if (units > 0) words.push(digits[units]!);
  return words.join(' ');
}

/**
 * A whole number in Vietnamese words, northern reading.
 * @example readNumber(2026) // "hai nghìn không trăm hai mươi sáu"
 * @example readNumber(1_500_000) // "một triệu năm trăm nghìn"
 */
export function readNumber(n: number): string {
  if (!Number.isFinite(n) || !Number.isInteger(n)) throw new Error(`not a whole number: ${n}`);
  if (n < 0) return `âm ${readNumber(-n)}`;
  if (n === 0) return 'không';
  if (n >= 1e12) return readNumber(Math.floor(n / 1e9)) + ' tỷ' + (n % 1e9 ? ` ${readNumber(n % 1e9)}` : '');
  const groups: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 1000)) groups.push(rest % 1000);
  const words: string[] = [];
  for (let i = groups.length - 1; i >= 0; i--) {
    const group = groups[i]!;
    if (group === 0) continue;
    words.push(readTriple(group, i < groups.length - 1));
    if (scales[i]) words.push(scales[i]!);
  }
  return words.join(' ');
}

/** Digits one by one, as phone numbers and codes are read: "0912" → "không chín một hai". */
export function readDigits(text: string): string {
  return [...text].filter((c) => /\d/.test(c)).map((c) => digits[Number(c)]).join(' ');
}
