import { encode } from 'uqr';

/** A QR code drawn as SVG parts: a `viewBox` and one path of dark squares. */
export interface QrSvg {
  readonly viewBox: string;
  readonly d: string;
}

// ISO/IEC 18004 asks for a light margin of four modules around the symbol; phone scanners miss less with it.
const quietZone = 4;

/**
 * `text` as a QR code (UTF-8 byte mode, error correction M or better), encoded by uqr, as the parts of
 * an inline SVG. The page draws the `<svg>` itself so that it carries its role and accessible label;
 * uqr's `renderSVG` returns markup that would have to be inserted raw.
 * @example
 * const qr = qrSvg('loa-receiver:?server=…');
 * <svg viewBox={qr.viewBox} role="img" aria-label="…"><path d={qr.d} /></svg>
 */
export function qrSvg(text: string): QrSvg {
  const { size, data } = encode(text, { ecc: 'M', boostEcc: true, border: quietZone });
  let d = '';
  data.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (dark) d += `M${x} ${y}h1v1h-1z`;
    }),
  );
  return { viewBox: `0 0 ${size} ${size}`, d };
}
