import { Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { csrfCookie, sessionCookie } from '../../env.js';
import type { Role } from '../../../domain/actor.js';
import { readForm, one } from '../forms.js';
import { langCookie, langs, type Lang } from '../i18n.js';
import { pageContext, sendPage, type PageContext } from '../page.js';
import { paths, safeNext } from '../paths.js';
import type { WebDeps } from '../deps.js';
import { Csrf, FormError, Layout, TextField, type FieldErrors } from '../ui.js';

/** Where each role starts: the page of its main job. */
export function homeOf(role: Role): string {
  return {
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
    const next = safeNext(c.req.query('next')) ?? '';
    if (auth) return c.redirect(next || homeOf(auth.actor.role), 303);
    return sendPage(c, <SignInPage p={pageContext(c)} next={next} username="" fields={{}} />);
  });

  app.post(paths.signIn, async (c) => {
    const p = pageContext(c);
    const form = await readForm(c);
    const username = one(form, 'username').trim();
    const password = one(form, 'password');
    const next = safeNext(one(form, 'next')) ?? '';
    const fields: Record<string, string> = {};
    if (!username) fields.username = p.m.required;
    else if (username.length > 64) fields.username = p.m.tooLong(64);
    if (!password) fields.password = p.m.required;
    else if (password.length > 200) fields.password = p.m.tooLong(200);
    if (Object.keys(fields).length > 0) {
      return sendPage(
        c,
        <SignInPage p={p} next={next} username={username} error={p.m.fixBelow} fields={fields} />,
        400,
      );
    }
    // Through the API's own sign-in, so that its rate limits, audit and cookies apply to the pages too.
    const headers = new Headers({ 'content-type': 'application/json', accept: 'application/json' });
    for (const name of ['x-forwarded-for', 'user-agent']) {
      const value = c.req.header(name);
      if (value) headers.set(name, value);
    }
    const res = await deps.api(
      new Request(new URL('/api/v1/auth/login', c.req.url), {
        method: 'POST',
        headers,
        body: JSON.stringify({ username, password }),
      }),
      c.env as object | undefined,
    );
    const body = (await res.json()) as { user?: { role: Role }; detail?: string; detailVi?: string };
    if (res.status === 200 && body.user) {
      for (const cookie of res.headers.getSetCookie()) c.header('Set-Cookie', cookie, { append: true });
      return c.redirect(next || homeOf(body.user.role), 303);
    }
    const retryAfter = res.headers.get('retry-after');
    if (retryAfter) c.header('Retry-After', retryAfter);
    const message = (p.lang === 'vi' ? body.detailVi : body.detail) ?? p.m.invalidValue;
    const status = res.status === 429 ? 429 : res.status === 401 ? 401 : 400;
    return sendPage(
      c,
      <SignInPage p={p} next={next} username={username} error={message} fields={{}} />,
      status,
    );
  });

  app.post(paths.signOut, async (c) => {
    const auth = c.get('auth');
    if (auth) await deps.services.auth.logout(auth.actor, auth.sessionId, c.get('requestId'));
    deleteCookie(c, sessionCookie, { path: '/' });
    deleteCookie(c, csrfCookie, { path: '/' });
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
        secure: new URL(c.req.url).protocol === 'https:',
      });
    }
    return c.redirect(safeNext(c.req.query('next')) ?? paths.home, 303);
  });

  return app;
}
