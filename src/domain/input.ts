import { z } from 'zod';

/**
 * Control characters no name, title or reason holds; a tab or a line break (a reason typed in a text area)
 * may stay. PostgreSQL text cannot hold NUL at all: one would fail the query instead of the input.
 */
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** Trimmed, NFC-normalised human text: names keep quotes, emoji and diacritics exactly. */
export const humanText = (max: number) =>
  z
    .string()
    .transform((s) => s.normalize('NFC').trim())
    .pipe(
      z
        .string()
        .min(1, 'must not be empty or only spaces')
        .max(max, `must be at most ${max} characters`)
        .refine((s) => !CONTROLS.test(s), {
          message: 'must not contain control characters',
          params: {
            messageVi: 'Có ký tự ẩn không hợp lệ (thường do dán từ tài liệu khác). Hãy xóa ô này và gõ lại.',
          },
        }),
    );

export const languageCode = z
  .string()
  .regex(/^[a-z]{2,8}(-[a-z0-9]{1,8})*$/, 'must be a language code like "vi"');

/** An id given in a request (hamlet, receiver, announcement …). */
export const idText = z
  .string()
  .min(1)
  .max(100)
  .regex(/^\P{Cc}*$/u, 'must not contain control characters');
