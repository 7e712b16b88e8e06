/**
 * The test tone a box plays when an officer asks (lệnh phát âm thử): a sine as 16-bit mono WAV, made in
 * memory so that no audio file has to ship with the agent. Every player (ffplay, mpg123 builds with WAV,
 * aplay) reads it.
 * @example testToneWav(1, 1000).length // → 32_044 (a 44-byte header and 16,000 samples of 2 bytes)
 */
export function testToneWav(seconds = 1, frequency = 1000, sampleRate = 16_000): Uint8Array {
  const samples = Math.round(seconds * sampleRate);
  const bytes = new Uint8Array(44 + samples * 2);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) bytes[offset + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + samples * 2, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, samples * 2, true);
  // 20 ms ramps: a tone that starts at full level clicks in a horn speaker.
  const ramp = Math.round(sampleRate * 0.02);
  for (let i = 0; i < samples; i++) {
    const gain = Math.min(1, i / ramp, (samples - 1 - i) / ramp);
    const value = Math.sin((2 * Math.PI * frequency * i) / sampleRate) * 0.5 * gain;
    view.setInt16(44 + i * 2, Math.round(value * 32767), true);
  }
  return bytes;
}
