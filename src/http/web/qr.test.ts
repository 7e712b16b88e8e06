import jsqr from 'jsqr';
import { describe, expect, it } from 'vitest';
import { qrSvg, type QrSvg } from './qr.js';

// jsqr is CommonJS typed as an ES module: its function is the `default` of what Node imports.
const jsQR = jsqr.default;

const scale = 6;

/** The SVG path painted as RGBA pixels, `scale` pixels a module. */
function paint(qr: QrSvg): { pixels: Uint8ClampedArray; side: number; dark: Set<string> } {
  const modules = Number(qr.viewBox.split(' ')[2]);
  const side = modules * scale;
  const pixels = new Uint8ClampedArray(side * side * 4).fill(255);
  const dark = new Set<string>();
  for (const [, x, y] of qr.d.matchAll(/M(\d+) (\d+)h1v1h-1z/g)) {
    dark.add(`${x},${y}`);
    for (let dy = 0; dy < scale; dy++)
      for (let dx = 0; dx < scale; dx++) {
        const at = ((Number(y) * scale + dy) * side + Number(x) * scale + dx) * 4;
        pixels.fill(0, at, at + 3);
      }
  }
  return { pixels, side, dark };
}

describe('QR code', () => {
  it.each([
    ['short', 1, 'LOA'],
    ['version 3', 3, 'https://loa.example.vn/xa-coc-san'],
    [
      'version 7+ (version bits)',
      7,
      `loa-receiver:v1?server=http://192.168.1.10:3000&id=0193b2f4-1c2d-7e3f-8a9b-0c1d2e3f4a5b&token=${'x'.repeat(43)}`,
    ],
    ['Vietnamese text (UTF-8)', 2, 'Cụm loa Ún Tà — nhà văn hóa'],
  ])('%s decodes back to the same text', (_, atLeast, text) => {
    const { pixels, side } = paint(qrSvg(text));
    // jsQR shares no code with the encoder, so a wrong drawing cannot cancel out a wrong encoding.
    const decoded = jsQR(pixels, side, side, { inversionAttempts: 'dontInvert' });
    expect(decoded).not.toBeNull();
    expect(decoded!.version).toBeGreaterThanOrEqual(atLeast);
    expect(new TextDecoder().decode(Uint8Array.from(decoded!.binaryData))).toBe(text);
  });

  it('leaves a light margin of four modules around the symbol', () => {
    const qr = qrSvg('loa-receiver:?server=http://127.0.0.1:3000');
    const modules = Number(qr.viewBox.split(' ')[2]);
    const coordinates = [...paint(qr).dark].flatMap((at) => at.split(',').map(Number));
    expect(Math.min(...coordinates)).toBe(4);
    expect(Math.max(...coordinates)).toBe(modules - 5);
  });

  it('refuses a payload that no QR code can hold', () => {
    expect(() => qrSvg('x'.repeat(3000))).toThrow(/too long/);
  });
});
