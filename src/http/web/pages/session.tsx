import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import type { Role } from '../../../domain/actor.js';
import { LoaError } from '../../../domain/errors.js';
import { LoginSchema } from '../../../domain/user.js';
import { isHttps, requestOrigin } from '../../forwarded.js';
import { csrfRefusal, isSameOrigin } from '../../middleware/auth.js';
import { clearSessionCookies, setSessionCookies } from '../../session-cookies.js';
import { checkInput } from '../input.js';
import { readForm, one } from '../forms.js';
import { langCookie, langs, type Lang } from '../i18n.js';
import { pageContext, sendPage, type PageContext } from '../page.js';
import { paths, safeNext } from '../paths.js';
import type { WebDeps } from '../deps.js';
import { Layout } from '../ui.js';
import { Csrf, FormError, TextField, type FieldErrors } from '../form-fields.js';

/** Where each role starts: the page of its main job. */
export function homeOf(role: Role): string {
  return {
    province_admin: paths.province,
    province_officer: paths.province,
    admin: paths.admin,
    commune_officer: paths.monitor,
    hamlet_head: paths.schedule,
    secretary: paths.send,
  }[role];
}

function SignInPage(props: {
  p: PageContext;
  next: string;
  username: string;
  error?: string;
  fields: FieldErrors;
}) {
  const { p } = props;
  return (
    <Layout p={p} title={p.m.signIn}>
      <section aria-label={p.m.signIn}>
        <form method="post" action={paths.signIn} novalidate>
          {p.csrf ? <Csrf p={p} /> : null}
          <input type="hidden" name="next" value={props.next} />
          <FormError message={props.error} />
          <TextField
            name="username"
            label={p.m.username}
            value={props.username}
            autocomplete="username"
            required
            maxlength={64}
            error={props.fields.username}
          />
          <TextField
            name="password"
            type="password"
            label={p.m.password}
            autocomplete="current-password"
            required
            maxlength={200}
            error={props.fields.password}
          />
          <button type="submit">{p.m.signIn}</button>
        </form>
      </section>
    </Layout>
  );
}

export function sessionRoutes(deps: WebDeps) {
  const app = new Hono();

  app.get(paths.home, (c) => {
    const auth = c.get('auth');
    return c.redirect(auth ? homeOf(auth.actor.role) : paths.signIn, 303);
  });

  app.get(paths.signIn, (c) => {
    const auth = c.get('auth');
    const next = safeNext(c.req.query('next'), requestOrigin(c)) ?? '';
    if (auth) return c.redirect(next || homeOf(auth.actor.role), 303);
    return sendPage(c, <SignInPage p={pageContext(c)} next={next} username="" fields={{}} />);
  });

  // The API's sign-in use case, with its rate limits and audit, and the same cookies.
  app.post(paths.signIn, async (c) => {
    // Login CSRF: a foreign page's form would otherwise sign the victim into the attacker's account.
    if (!isSameOrigin(c)) throw csrfRefusal();
    const p = pageContext(c);
    const form = await readForm(c);
    const username = one(form, 'username').trim();
    const next = safeNext(one(form, 'next'), requestOrigin(c)) ?? '';
    const input = checkInput(LoginSchema, { username, password: one(form, 'password') }, p);
    if (!input.ok) {
      return sendPage(
        c,
        <SignInPage
          p={p}
          next={next}
          username={username}
          error={p.m.fixBelow}
          fields={input.problem.fields}
        />,
        400,
      );
    }
    try {
      const session = await deps.services.auth.login(input.value, {
        clientIp: deps.clientIp(c),
        requestId: c.get('requestId'),
      });
      setSessionCookies(c, session);
      return c.redirect(next || homeOf(session.user.role), 303);
    } catch (error) {
      if (!(error instanceof LoaError) || (error.status !== 401 && error.status !== 429)) throw error;
      const retryAfterS = error.extra.retryAfterS;
      if (typeof retryAfterS === 'number') c.header('Retry-After', String(retryAfterS));
      const message = p.lang === 'vi' ? error.detailVi : error.detail;
      return sendPage(
        c,
        <SignInPage p={p} next={next} username={username} error={message} fields={{}} />,
        error.status,
      );
    }
  });

  app.post(paths.signOut, async (c) => {
    const auth = c.get('auth');
    if (auth) await deps.services.auth.logout(auth.actor, auth.sessionId, c.get('requestId'));
    clearSessionCookies(c);
    return c.redirect(paths.signIn, 303);
  });

  // A link, not a form: choosing a language changes nothing but how pages are shown, and must work
  // before signing in and without JavaScript.
  app.get(`${paths.language(':lang')}`, (c) => {
    const lang = c.req.param('lang') ?? '';
    if ((langs as readonly string[]).includes(lang)) {
      setCookie(c, langCookie, lang as Lang, {
        path: '/',
        sameSite: 'Lax',
        maxAge: 365 * 86_400,
        secure: isHttps(c),
      });
    }
    return c.redirect(safeNext(c.req.query('next'), requestOrigin(c)) ?? paths.home, 303);
  });

  return app;
}
