import { z } from 'zod';

/** Trimmed, NFC-normalised human text: names keep quotes, emoji and diacritics exactly. */
export const humanText = (max: number) =>
  z
    .string()
    .transform((s) => s.normalize('NFC').trim())
    .pipe(
      z.string().min(1, 'must not be empty or only spaces').max(max, `must be at most ${max} characters`),
    );

export const languageCode = z
  .string()
  .regex(/^[a-z]{2,8}(-[a-z0-9]{1,8})*$/, 'must be a language code like "vi"');

/** An id given in a request (hamlet, receiver, announcement …). */
export const idText = z.string().min(1).max(100);
