type Cell = string | number | null;

const quote = (cell: Cell): string => {
  if (cell === null) return '';
  if (typeof cell === 'number') return String(cell);
  // A leading = + - @ makes spreadsheets evaluate a name as a formula (CSV injection, OWASP).
  const safe = /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/**
 * RFC 4180 CSV with CRLF line ends, preceded by a UTF-8 byte order mark: without it Excel reads the
 * file as the ANSI code page and shows "Ún Tà" as mojibake.
 * @example toCsv(['hamlet', 'rate'], [['Ún Tà', 0.5]]) // → '\uFEFFhamlet,rate\r\nÚn Tà,0.5\r\n'
 */
export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return `\uFEFF${[header, ...rows].map((row) => row.map(quote).join(',')).join('\r\n')}\r\n`;
}
