import { Hono, type Context } from 'hono';
import { LoaError } from '../../../domain/errors.js';
import { PasswordChangeSchema } from '../../../domain/user.js';
import type { WebDeps } from '../deps.js';
import { Csrf, FormError, TextField } from '../form-fields.js';
import { one, problemOf, readForm, type FormProblem } from '../forms.js';
import { checkInput } from '../input.js';
import { pageContext, seeOther, sendPage, signedIn } from '../page.js';
import { paths } from '../paths.js';
import { Layout, notices } from '../ui.js';

/**
 * Every signed-in person's own password (đổi mật khẩu): the one an admin gave them is theirs to replace.
 * The API's use case, with its check of the current password and its limit on guesses.
 */
export function accountRoutes({ services }: WebDeps) {
  const app = new Hono();

  // Passwords are never shown again: a refused form comes back empty, with the reason at its field.
  function render(c: Context, problem?: FormProblem) {
    const p = pageContext(c);
    const m = p.m.account;
    const e = problem?.fields ?? {};
    return sendPage(
      c,
      <Layout p={p} title={m.title} notice={notices(p.m)[c.req.query('tb') ?? '']}>
        <form method="post" action={paths.account} novalidate>
          <Csrf p={p} />
          <FormError message={problem?.general} />
          <input type="hidden" name="username" value={p.auth?.actor.username} autocomplete="username" />
          {(
            [
              ['currentPassword', m.current, 'current-password'],
              ['newPassword', m.new, 'new-password'],
              ['newPasswordAgain', m.again, 'new-password'],
            ] as const
          ).map(([name, label, autocomplete]) => (
            <TextField
              name={name}
              type="password"
              label={label}
              autocomplete={autocomplete}
              required
              maxlength={200}
              error={e[name]}
              autofocus={name === Object.keys(e)[0]}
            />
          ))}
          <button type="submit">{m.save}</button>
        </form>
      </Layout>,
      problem?.status ?? 200,
    );
  }

  app.get(paths.account, (c) => {
    signedIn(c);
    return render(c);
  });

  app.post(paths.account, async (c) => {
    const { actor, requestId } = signedIn(c);
    const p = pageContext(c);
    const form = await readForm(c);
    const input = checkInput(
      PasswordChangeSchema,
      { currentPassword: one(form, 'currentPassword'), newPassword: one(form, 'newPassword') },
      p,
    );
    if (!input.ok) return render(c, input.problem);
    if (one(form, 'newPasswordAgain') !== input.value.newPassword) {
      return render(c, {
        general: p.m.fixBelow,
        fields: { newPasswordAgain: p.m.account.mismatch },
        status: 422,
      });
    }
    try {
      await services.auth.changePassword(actor, c.get('auth')!.sessionId, input.value, requestId);
    } catch (error) {
      const problem = problemOf(error, p.lang);
      const retryAfterS = error instanceof LoaError ? error.extra.retryAfterS : undefined;
      if (typeof retryAfterS === 'number') c.header('Retry-After', String(retryAfterS));
      return render(c, problem);
    }
    return seeOther(c, paths.account, 'passwordChanged');
  });

  return app;
}
