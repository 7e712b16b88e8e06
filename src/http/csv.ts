import type { Context } from 'hono';

type Cell = string | number | null;

/**
 * How a spreadsheet opens the file. Excel splits a CSV on the list separator of the computer's region,
 * and in Vietnam that is `;` (the decimal separator being `,`): a comma-separated file opens there as
 * one column, and `0.5` is not read as a number.
 */
export interface CsvDialect {
  /** `,` (RFC 4180; Google Sheets, LibreOffice, programs) or `;` with decimal commas (Excel set to Vietnam). */
  readonly separator: ',' | ';';
}

export const COMMA: CsvDialect = { separator: ',' };

const quote = (cell: Cell, dialect: CsvDialect): string => {
  if (cell === null) return '';
  if (typeof cell === 'number') {
    const text = String(cell);
    return dialect.separator === ';' ? text.replace('.', ',') : text;
  }
  // A leading = + - @ makes spreadsheets evaluate a name as a formula (CSV injection, OWASP).
  const safe = /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
  const special = dialect.separator === ';' ? /[";\r\n]/ : /[",\r\n]/;
  return special.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/**
 * RFC 4180 CSV with CRLF line ends, preceded by a UTF-8 byte order mark: without it Excel reads the
 * file as the ANSI code page and shows "Ún Tà" as mojibake. With `;` numbers take a decimal comma.
 * @example toCsv(['hamlet', 'rate'], [['Ún Tà', 0.5]]) // → '\uFEFFhamlet,rate\r\nÚn Tà,0.5\r\n'
 * @example toCsv(['Thôn', 'Tỉ lệ'], [['Ún Tà', 0.5]], { separator: ';' }) // → '\uFEFFThôn;Tỉ lệ\r\nÚn Tà;0,5\r\n'
 */
export function toCsv(
  header: readonly string[],
  rows: readonly (readonly Cell[])[],
  dialect: CsvDialect = COMMA,
): string {
  const line = (row: readonly Cell[]) => row.map((cell) => quote(cell, dialect)).join(dialect.separator);
  return `\uFEFF${[header, ...rows].map(line).join('\r\n')}\r\n`;
}

/** Which spreadsheet a file is for: column names and separator. */
export interface CsvOptions {
  /** `keys`: stable names for programs (`hamlet_id,…`); `vi`: the columns as the pages name them. */
  readonly header: 'keys' | 'vi';
  readonly dialect: CsvDialect;
}

/**
 * The variant a request asks for: `?sep=semicolon` gives `;` with decimal commas, for Excel on a
 * computer set to Vietnam (and Vietnamese headers unless `header=keys`); `?header=vi|keys` names the
 * columns; otherwise `fallback` (the API: keys and commas, as programs expect; the pages: Vietnamese).
 */
export function csvOptionsOf(c: Context, fallback: 'keys' | 'vi'): CsvOptions {
  const semicolon = c.req.query('sep') === 'semicolon';
  const asked = c.req.query('header');
  const header = asked === 'vi' || asked === 'keys' ? asked : semicolon ? 'vi' : fallback;
  return { header, dialect: { separator: semicolon ? ';' : ',' } };
}

/** A CSV answer as an attachment named `name`, never cached. */
export function csvResponse(c: Context, csv: string, name: string): Response {
  return c.body(csv, 200, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${name}"`,
    'Cache-Control': 'no-store',
  });
}
