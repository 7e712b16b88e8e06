import { describe, expect, it } from 'vitest';
import { MAX_TEXT_CHARS, SpeechSchema, textLength } from '../../src/domain/announcement.js';
import { hasOwnVoice } from '../../src/domain/ports/tts.js';

describe('a typed text for speech', () => {
  const check = (text: string) => SpeechSchema.safeParse({ text });

  it('counts characters as a person does: code points after NFC, a CRLF line break as one', () => {
    expect(textLength('ế'.normalize('NFD'))).toBe(1);
    expect(textLength('Chào 👋')).toBe(6);
    expect(textLength('một\r\nhai\rba\n')).toBe(11);
  });

  it(`takes ${MAX_TEXT_CHARS} characters, however the browser or keyboard encoded them`, () => {
    for (const text of [
      'a'.repeat(MAX_TEXT_CHARS),
      'ế'.normalize('NFD').repeat(MAX_TEXT_CHARS),
      // 7,500 UTF-16 units from a textarea, 4,999 characters once its line breaks are one each.
      'ô\r\n'.repeat(MAX_TEXT_CHARS / 2),
      `  ${'b'.repeat(MAX_TEXT_CHARS)}\n`,
    ]) {
      const parsed = check(text);
      expect(parsed.success).toBe(true);
      expect(textLength(parsed.data!.text)).toBeLessThanOrEqual(MAX_TEXT_CHARS);
    }
    expect(check('ô\r\n'.repeat(2)).data?.text).toBe('ô\nô');
  });

  it('refuses one character more, never cuts it, and names the limit and the count', () => {
    const parsed = check('ế'.normalize('NFD').repeat(MAX_TEXT_CHARS + 1));
    expect(parsed.success).toBe(false);
    const [issue] = parsed.error!.issues;
    expect(issue).toMatchObject({
      code: 'custom',
      path: ['text'],
      message: expect.stringContaining('at most 5000 characters; this text has 5001'),
      params: {
        count: 5001,
        limit: 5000,
        messageVi:
          'Văn bản dài 5001 ký tự, vượt giới hạn 5000 ký tự. Hãy rút gọn hoặc chia thành nhiều thông báo.',
      },
    });
    expect(check(' \n ').error!.issues[0]!.code).toBe('too_small');
  });

  it('knows which languages have a voice of their own: Vietnamese only', () => {
    expect(['vi', 'vi-vn', 'giay', 'hmn', 'dao'].map(hasOwnVoice)).toEqual([true, true, false, false, false]);
  });
});
