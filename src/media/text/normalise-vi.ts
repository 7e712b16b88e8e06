import { abbreviationsVi } from './abbreviations-vi.js';
import { digitWord, readDigits, readNumber } from './numbers-vi.js';

const monthNames = ['', 'một', 'hai', 'ba', 'tư', 'năm', 'sáu', 'bảy', 'tám', 'chín', 'mười', 'mười một', 'mười hai'];

const units: readonly [RegExp, string][] = [
  [/^km2$|^km²$/, 'ki-lô-mét vuông'],
  [/^km$/, 'ki-lô-mét'],
  [/^kg$/, 'ki-lô-gam'],
  [/^ha$/, 'héc-ta'],
  [/^cm$/, 'xăng-ti-mét'],
  [/^mm$/, 'mi-li-mét'],
  [/^m2$|^m²$/, 'mét vuông'],
  [/^m3$|^m³$/, 'mét khối'],
  [/^m$/, 'mét'],
  [/^%$/, 'phần trăm'],
  [/^°C$|^độ C$/, 'độ C'],
  [/^(đ|đồng|VNĐ|VND|vnđ)$/, 'đồng'],
];

// Letters of any script, so that "TP" inside "TPHCM" or an accented word is not taken for the abbreviation.
const notLetter = '(?<![\\p{L}\\p{N}])';
const notLetterAfter = '(?![\\p{L}\\p{N}])';

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

const abbreviationPattern = new RegExp(
  `${notLetter}(${Object.keys(abbreviationsVi)
    .sort((a, b) => b.length - a.length)
    .map(escape)
    .join('|')})${notLetterAfter}`,
  'gu',
);

/** "1.500.000" or "1500000" → 1500000; "2,5" → 2.5 (Vietnamese decimal comma). */
function parseVietnameseNumber(raw: string): number {
  if (/^\d{1,3}(\.\d{3})+$/.test(raw)) return Number(raw.replace(/\./g, ''));
  return Number(raw.replace(',', '.'));
}

function readDecimal(raw: string): string {
  if (/^\d{1,3}(\.\d{3})+$/.test(raw) || /^\d+$/.test(raw)) return readNumber(parseVietnameseNumber(raw));
  const [whole, fraction] = raw.split(/[,.]/) as [string, string];
  // Fractions are read digit by digit after "phẩy", except short ones read as a number ("2,5" → "hai phẩy năm").
  const fractionWords = fraction.startsWith('0') || fraction.length > 2 ? readDigits(fraction) : readNumber(Number(fraction));
  return `${readNumber(Number(whole))} phẩy ${fractionWords}`;
}

function readTime(hours: number, minutes: number | undefined): string {
  const h = `${readNumber(hours)} giờ`;
  return minutes === undefined || minutes === 0 ? h : `${h} ${readNumber(minutes)} phút`;
}

function readDate(day: number, month: number, year: number | undefined): string {
  const date = `${readNumber(day)} tháng ${monthNames[month]}`;
  return year === undefined ? date : `${date} năm ${readNumber(year)}`;
}

/**
 * Rewrites a Vietnamese text for speech: dates, times, phone numbers, numbers with units and currency,
 * and administrative abbreviations become words, so that a TTS engine reads them as a cadre would.
 * @example normaliseVi('UBND xã họp lúc 7h30 ngày 26/11/2026.')
 * // "Ủy ban nhân dân xã họp lúc bảy giờ ba mươi phút ngày hai mươi sáu tháng mười một năm hai nghìn không trăm hai mươi sáu."
 */
export function normaliseVi(input: string): string {
  let text = input.normalize('NFC').replace(/\s+/g, ' ').trim();

  text = text.replace(abbreviationPattern, (m) => abbreviationsVi[m] ?? m);

  // Phone numbers: 10–11 digits starting with 0 or +84, in groups or not.
  text = text.replace(/(?<![\d.,])(\+84|0)(\d[\d .]{7,13}\d)(?![\d])/g, (match, prefix: string, rest: string) => {
    const digitsOnly = rest.replace(/[ .]/g, '');
    if (digitsOnly.length < 8 || digitsOnly.length > 10) return match;
    const head = prefix === '+84' ? 'cộng tám tư' : digitWord(0);
    return `${head} ${readDigits(digitsOnly)}`;
  });

  // Dates: 26/11/2026, 26-11-2026, 26/11. "ngày" is added unless the text already says it.
  text = text.replace(
    /(ngày\s+)?(?<!\d)(\d{1,2})[/-](\d{1,2})(?:[/-](\d{4}))?(?![\d/])/giu,
    (match, said: string | undefined, d: string, m: string, y: string | undefined) => {
      const day = Number(d);
      const month = Number(m);
      if (day < 1 || day > 31 || month < 1 || month > 12) return match;
      return `${said ?? 'ngày '}${readDate(day, month, y === undefined ? undefined : Number(y))}`;
    },
  );

  // Times: 07:30, 7h30, 7h.
  text = text.replace(/(?<![\d:])([01]?\d|2[0-3])(?::([0-5]\d)|h([0-5]\d)?)(?![\d\p{L}])/gu, (_m, h: string, m1?: string, m2?: string) =>
    readTime(Number(h), m1 !== undefined ? Number(m1) : m2 !== undefined ? Number(m2) : undefined),
  );

  // Numbers, with a unit or currency when one follows.
  text = text.replace(
    /(?<![\p{L}\d])(\d{1,3}(?:\.\d{3})+|\d+(?:[,.]\d+)?)(\s?)(km2|km²|km|kg|ha|cm|mm|m2|m²|m3|m³|m|%|°C|VNĐ|VND|vnđ|đồng|đ)?(?![\p{L}\d])/gu,
    (_m, number: string, space: string, unit?: string) => {
      const spoken = readDecimal(number);
      if (!unit) return spoken;
      const word = units.find(([pattern]) => pattern.test(unit))?.[1] ?? unit;
      return `${spoken}${space || ' '}${word}`.replace(/\s+/g, ' ');
    },
  );

  return text.replace(/\s+/g, ' ').trim().normalize('NFC');
}
