import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeQr, type QrCode } from './qr.js';

const dir = mkdtempSync(join(tmpdir(), 'loa-qr-'));

/** The code as a binary PGM image, 6 pixels a module with the quiet zone, for an independent decoder. */
function decode(qr: QrCode, name: string): string {
  const scale = 6;
  const side = (qr.size + 8) * scale;
  const pixels = Buffer.alloc(side * side, 255);
  qr.modules.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (!dark) return;
      for (let dy = 0; dy < scale; dy++)
        pixels.fill(
          0,
          ((y + 4) * scale + dy) * side + (x + 4) * scale,
          ((y + 4) * scale + dy) * side + (x + 5) * scale,
        );
    }),
  );
  const file = join(dir, `${name}.pgm`);
  writeFileSync(file, Buffer.concat([Buffer.from(`P5 ${side} ${side} 255\n`), pixels]));
  // zbarimg (Debian zbar-tools) reads it back: a decoder that shares no code with the encoder.
  return execFileSync('zbarimg', ['--raw', '-q', '-Sbinary', file], {
    stdio: ['ignore', 'pipe', 'ignore'],
  }).toString('utf8');
}

describe('QR encoder', () => {
  it.each([
    ['short', 1, 'LOA'],
    ['version 3', 3, 'https://loa.example.vn/xa-coc-san'],
    [
      'version 7+ (version bits)',
      7,
      `loa-receiver:v1?server=http://192.168.1.10:3000&id=0193b2f4-1c2d-7e3f-8a9b-0c1d2e3f4a5b&token=${'x'.repeat(43)}`,
    ],
    ['Vietnamese text (UTF-8)', 2, 'Cụm loa Ún Tà — nhà văn hóa'],
  ])('%s decodes back to the same text', (name, atLeast, text) => {
    const qr = encodeQr(text);
    expect(qr.version).toBeGreaterThanOrEqual(atLeast);
    expect(qr.size).toBe(qr.version * 4 + 17);
    expect(decode(qr, name.replace(/\W+/g, '-'))).toBe(text);
  });

  it('refuses a payload that version 10 cannot hold', () => {
    expect(() => encodeQr('x'.repeat(300))).toThrow(/too long/);
  });
});
