import { describe, expect, it } from 'vitest';
import { createEspeakEngine } from '../../src/media/tts/espeak.js';
import { buildWav, parseWav, splitForSynthesis } from '../../src/media/tts/wav.js';

const seconds = (wav: Uint8Array): number => {
  const { format, data } = parseWav(wav);
  return data.byteLength / (format.sampleRate * format.channels * (format.bitsPerSample / 8));
};

describe('espeak-ng engine', () => {
  it.each([
    ['system binary', false],
    ['WebAssembly build from npm', true],
  ])(
    'speaks Vietnamese with the %s, reading numbers and abbreviations as words',
    async (_name, preferWasm) => {
      const engine = createEspeakEngine({ preferWasm });
      const wav = await engine.synthesize('UBND xã: họp lúc 7h30 ngày 28/11/2026.', { voice: 'vi' });
      expect(new TextDecoder().decode(wav.slice(0, 4))).toBe('RIFF');
      expect(parseWav(wav).format).toEqual({ sampleRate: 22050, channels: 1, bitsPerSample: 16 });
      // Read as words the sentence takes several seconds; digits and letters alone would be far shorter.
      const raw = await engine.synthesize('UBND xã', { voice: 'vi' });
      expect(seconds(wav)).toBeGreaterThan(5);
      expect(seconds(wav)).toBeGreaterThan(3 * seconds(raw));
    },
  );

  it('says a 5,000-character text in pieces joined into one WAV, in the southern voice', async () => {
    const text = 'Bà con thôn Ún Tà chú ý, sáng mai có lịch tiêm phòng cho đàn gia súc tại nhà văn hóa thôn. '
      .repeat(60)
      .slice(0, 5000);
    const wav = await createEspeakEngine().synthesize(text, { voice: 'vi-vn-x-south' });
    expect(seconds(wav)).toBeGreaterThan(240);
    const view = new DataView(wav.buffer, wav.byteOffset);
    expect(view.getUint32(40, true)).toBe(wav.byteLength - 44);
  });

  it.each([
    ['system binary', false],
    ['WebAssembly build from npm', true],
  ])(
    'reads a text to its end past a NUL or other control character, with the %s',
    async (_name, preferWasm) => {
      const engine = createEspeakEngine({ preferWasm });
      const clean = 'Họp thôn lúc bảy giờ sáng mai tại nhà văn hóa.';
      const full = seconds(await engine.synthesize(clean, { voice: 'vi' }));
      for (const control of ['\u0000', '\u0001', '\u001b']) {
        const wav = await engine.synthesize(clean.replace(' lúc', `${control} lúc`), { voice: 'vi' });
        expect(seconds(wav), JSON.stringify(control)).toBeGreaterThan(full - 0.3);
      }
    },
  );

  it('refuses an unknown voice and an empty text', async () => {
    const engine = createEspeakEngine();
    await expect(engine.synthesize('xin chào', { voice: 'en' as 'vi' })).rejects.toThrow(/unknown voice/);
    await expect(engine.synthesize('   ', { voice: 'vi' })).rejects.toThrow(/empty/);
  });
});

describe('WAV pieces', () => {
  it('splits at sentence ends within the limit, then at commas and spaces', () => {
    const text = 'Một hai ba. Bốn năm sáu, bảy tám chín mười.';
    expect(splitForSynthesis(text, 20)).toEqual(['Một hai ba.', 'Bốn năm sáu,', 'bảy tám chín mười.']);
    expect(splitForSynthesis('ngắn', 20)).toEqual(['ngắn']);
    expect(splitForSynthesis('a'.repeat(25), 10)).toEqual(['a'.repeat(10), 'a'.repeat(10), 'a'.repeat(5)]);
  });

  it('joins PCM into a WAV whose sizes are exact, and reads a streamed one whose sizes are not', () => {
    const format = { sampleRate: 8000, channels: 1, bitsPerSample: 16 };
    const wav = buildWav(format, [new Uint8Array([1, 2]), new Uint8Array([3, 4, 5, 6])]);
    expect(parseWav(wav)).toEqual({ format, data: new Uint8Array([1, 2, 3, 4, 5, 6]) });
    const streamed = wav.slice();
    new DataView(streamed.buffer).setUint32(40, 0x7ffff000, true);
    expect(parseWav(streamed).data).toEqual(new Uint8Array([1, 2, 3, 4, 5, 6]));
    expect(() => parseWav(new TextEncoder().encode('%PDF-1.4'))).toThrow(/not a WAV/);
  });
});
