// The recordings `npm run bench:national` uploads.

/** A mono 16 kHz WAV of a tone, different per `n`, `seconds` long. */
export function toneWav(n: number, seconds: number): Uint8Array {
  const rate = 16_000;
  const samples = rate * seconds;
  const buffer = Buffer.alloc(44 + samples * 2);
  buffer.write('RIFF', 0);
  buffer.writeUInt32LE(36 + samples * 2, 4);
  buffer.write('WAVEfmt ', 8);
  buffer.writeUInt32LE(16, 16);
  buffer.writeUInt16LE(1, 20);
  buffer.writeUInt16LE(1, 22);
  buffer.writeUInt32LE(rate, 24);
  buffer.writeUInt32LE(rate * 2, 28);
  buffer.writeUInt16LE(2, 32);
  buffer.writeUInt16LE(16, 34);
  buffer.write('data', 36);
  buffer.writeUInt32LE(samples * 2, 40);
  const f = 200 + n * 3;
  for (let i = 0; i < samples; i++) {
    // A tone that swells every second, so that the levelling has speech-like work to do.
    const envelope = 0.3 + 0.25 * Math.sin((2 * Math.PI * i) / rate);
    buffer.writeInt16LE(Math.round(12_000 * envelope * Math.sin((2 * Math.PI * f * i) / rate)), 44 + i * 2);
  }
  return buffer;
}
