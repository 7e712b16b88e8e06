/** Just enough RIFF/WAVE to join the PCM of several syntheses into one file. Pure. */

export interface WavFormat {
  readonly sampleRate: number;
  readonly channels: number;
  readonly bitsPerSample: number;
}

export interface Wav {
  readonly format: WavFormat;
  readonly data: Uint8Array;
}

const ascii = (bytes: Uint8Array, at: number): string => String.fromCharCode(...bytes.subarray(at, at + 4));

/**
 * Reads a PCM WAV. A `data` chunk whose size field runs past the end (espeak-ng writing to a
 * pipe cannot go back to fill it in) is taken to end with the file.
 */
export function parseWav(bytes: Uint8Array): Wav {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12 || ascii(bytes, 0) !== 'RIFF' || ascii(bytes, 8) !== 'WAVE')
    throw new Error('not a WAV file');
  let format: WavFormat | undefined;
  for (let at = 12; at + 8 <= bytes.byteLength;) {
    const id = ascii(bytes, at);
    const size = view.getUint32(at + 4, true);
    if (id === 'fmt ') {
      format = {
        channels: view.getUint16(at + 10, true),
        sampleRate: view.getUint32(at + 12, true),
        bitsPerSample: view.getUint16(at + 22, true),
      };
    } else if (id === 'data') {
      if (!format) throw new Error('WAV data before its format');
      const end = Math.min(bytes.byteLength, at + 8 + size);
      return { format, data: bytes.subarray(at + 8, end) };
    }
    at += 8 + size + (size % 2);
  }
  throw new Error('WAV without data');
}

/** Writes PCM chunks of one format as a single WAV file with exact sizes. */
export function buildWav(format: WavFormat, chunks: readonly Uint8Array[]): Uint8Array {
  const dataBytes = chunks.reduce((n, c) => n + c.byteLength, 0);
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const write = (at: number, text: string): void => {
    for (let i = 0; i < 4; i++) out[at + i] = text.charCodeAt(i);
  };
  const blockAlign = (format.channels * format.bitsPerSample) / 8;
  write(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  write(8, 'WAVE');
  write(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, format.channels, true);
  view.setUint32(24, format.sampleRate, true);
  view.setUint32(28, format.sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, format.bitsPerSample, true);
  write(36, 'data');
  view.setUint32(40, dataBytes, true);
  let at = 44;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/**
 * Splits a text into pieces of at most `maxChars`, at sentence ends where possible, then at
 * commas, then at spaces: the WebAssembly espeak-ng has a fixed 32 MB heap.
 */
export function splitForSynthesis(text: string, maxChars = 1000): string[] {
  const pieces: string[] = [];
  let rest = text.trim();
  while (rest.length > maxChars) {
    const window = rest.slice(0, maxChars);
    const after = (marks: readonly string[]): number =>
      Math.max(...marks.map((m) => window.lastIndexOf(m))) + 1;
    const sentence = after(['. ', '! ', '? ', '; ']);
    const clause = after([', ']);
    const word = window.lastIndexOf(' ');
    const cut = sentence > 0 ? sentence : clause > 0 ? clause : word > 0 ? word : maxChars;
    pieces.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) pieces.push(rest);
  return pieces;
}
