import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { html } from 'hono/html';
import type { UserActor } from '../../domain/actor.js';
import { csrfCookie, type UserAuth } from '../env.js';
import type { RequestContext } from '../../domain/actor.js';
import { langOf, messages, type Lang, type Messages } from './i18n.js';
import { paths } from './paths.js';

/** What every page needs to render: language, messages, the signed-in user and the CSRF token. */
export interface PageContext {
  readonly lang: Lang;
  readonly m: Messages;
  readonly auth: UserAuth | undefined;
  /** The double-submit token every form carries as `_csrf` (the `loa_csrf` cookie set at sign-in). */
  readonly csrf: string;
  readonly path: string;
  /** A province user's communes, for the commune switcher on every page; undefined for commune users. */
  readonly communes: readonly { readonly id: string; readonly name: string }[] | undefined;
}

export function pageContext(c: Context): PageContext {
  const lang = langOf(c);
  return {
    lang,
    m: messages[lang],
    auth: c.get('auth'),
    csrf: getCookie(c, csrfCookie) ?? '',
    path: c.req.path,
    communes: c.get('communeChoices'),
  };
}

/** Thrown by `signedIn` for anonymous visitors; the page error handler turns it into a redirect. */
export class SignInRequired extends Error {
  override readonly name = 'SignInRequired';
  constructor(readonly next: string) {
    super('sign in required');
  }
}

/** The service context of the signed-in user, or a redirect to the sign-in page that comes back here. */
export function signedIn(c: Context): RequestContext & { readonly actor: UserActor } {
  const auth = c.get('auth');
  if (!auth) {
    const url = new URL(c.req.url);
    throw new SignInRequired(c.req.method === 'GET' ? url.pathname + url.search : paths.home);
  }
  return { actor: auth.actor, requestId: c.get('requestId') };
}

/** Sends a rendered page with the doctype; pages never cache, since they show live state. */
export function sendPage(
  c: Context,
  body: unknown,
  status: 200 | 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 507 = 200,
) {
  c.header('Cache-Control', 'no-store');
  return c.html(html`<!doctype html>${body}`, status);
}

/** Redirect after a successful POST (303, so a reload does not post again), with a notice for the next page. */
export function seeOther(c: Context, to: string, notice?: string) {
  const url = notice ? `${to}${to.includes('?') ? '&' : '?'}tb=${encodeURIComponent(notice)}` : to;
  return c.redirect(url, 303);
}
