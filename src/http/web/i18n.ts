import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { en } from './messages-en.js';
import { vi } from './messages-vi.js';

export const langCookie = 'loa_lang';
export const langs = ['vi', 'en'] as const;
export type Lang = (typeof langs)[number];

/** Vietnamese unless the person chose English with the switch (a cookie, so it works without JavaScript). */
export function langOf(c: Context): Lang {
  return getCookie(c, langCookie) === 'en' ? 'en' : 'vi';
}

export type Messages = typeof vi;

export const messages: Readonly<Record<Lang, Messages>> = { vi, en };
