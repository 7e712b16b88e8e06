import { describe, expect, it } from 'vitest';
import { createEspeakEngine } from './espeak.js';

const wavSeconds = (wav: Uint8Array) => {
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  const byteRate = view.getUint32(28, true);
  return (wav.byteLength - 44) / byteRate;
};

describe('espeak-ng engine', () => {
  it.each([
    ['system binary', false],
    ['WebAssembly build', true],
  ])('speaks Vietnamese with the %s', async (_name, preferWasm) => {
    const engine = createEspeakEngine({ preferWasm });
    const wav = await engine.synthesize('UBND xã Cốc San thông báo: họp lúc 7h30 ngày 28/11/2026.', { voice: 'vi' });
    expect(new TextDecoder().decode(wav.slice(0, 4))).toBe('RIFF');
    expect(new TextDecoder().decode(wav.slice(8, 12))).toBe('WAVE');
    // The expanded sentence takes several seconds to say; the raw one would be far shorter.
    expect(wavSeconds(wav)).toBeGreaterThan(5);
  });

  it('says long texts and other voices', async () => {
    const engine = createEspeakEngine();
    const text = 'Bà con chú ý. '.repeat(200);
    const wav = await engine.synthesize(text, { voice: 'vi-vn-x-south' });
    expect(wavSeconds(wav)).toBeGreaterThan(60);
  });
});
