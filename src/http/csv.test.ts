import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.js';

describe('toCsv', () => {
  it('quotes what would split a cell, for the separator in use', () => {
    const row = [['Họp thôn; mang "sổ"', 'a,b', 0.25]] as const;
    expect(toCsv(['x', 'y', 'z'], row)).toBe('\uFEFFx,y,z\r\n"Họp thôn; mang ""sổ""","a,b",0.25\r\n');
    expect(toCsv(['x', 'y', 'z'], row, { separator: ';' })).toBe(
      '\uFEFFx;y;z\r\n"Họp thôn; mang ""sổ""";a,b;0,25\r\n',
    );
  });

  it('keeps a spreadsheet from running a cell as a formula', () => {
    expect(toCsv(['x'], [['=1+1'], ['-2']], { separator: ';' })).toBe("\uFEFFx\r\n'=1+1\r\n'-2\r\n");
  });
});
