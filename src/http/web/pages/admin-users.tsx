import { Hono, type Context } from 'hono';
import type { User as UserRow } from '../../../domain/user.js';
import { roles, type Role } from '../../../domain/actor.js';
import { assertAllowed } from '../../../domain/policy.js';
import { hamletsOf } from '../commune.js';
import type { WebDeps } from '../deps.js';
import { many, one, problemOf, readForm, type FormProblem, type FormValues } from '../forms.js';
import type { Messages } from '../i18n.js';
import { pageContext, seeOther, sendPage, signedIn, type PageContext } from '../page.js';
import { paths } from '../paths.js';
import {
  Badge,
  Choices,
  Csrf,
  FormError,
  Layout,
  Section,
  SelectField,
  TextField,
  notices,
  Table,
} from '../ui.js';

const isRole = (r: string): r is Role => (roles as readonly string[]).includes(r);
const usernameOk = (u: string) => /^[\p{L}\p{N}._-]{3,64}$/u.test(u);

/** The form's own checks with the page's messages; the service checks scope and uniqueness. */
function check(form: FormValues, m: Messages, creating: boolean): Record<string, string> {
  const fields: Record<string, string> = {};
  if (creating && !usernameOk(one(form, 'username').normalize('NFC').trim()))
    fields.username = m.usernameRule;
  const name = one(form, 'displayName').trim();
  if (!name) fields.displayName = m.required;
  else if (name.length > 200) fields.displayName = m.tooLong(200);
  const password = one(form, 'password');
  if ((creating || password) && (password.length < 10 || password.length > 200))
    fields.password = m.passwordRule;
  if (!isRole(one(form, 'role'))) fields.role = m.required;
  return fields;
}

// The service's refusals name these inputs: a taken username is a conflict without a field.
const fieldMap = { hamletIds: 'hamletIds', role: 'role', username: 'username' };
const withUsernameConflict = (problem: FormProblem): FormProblem =>
  problem.status === 409 ? { ...problem, fields: { username: problem.general, ...problem.fields } } : problem;

function UserFields({
  p,
  values,
  problem,
  hamlets,
  creating,
}: {
  p: PageContext;
  values: FormValues;
  problem?: FormProblem | undefined;
  hamlets: readonly (readonly [string, string])[];
  creating: boolean;
}) {
  const m = p.m;
  const e = problem?.fields ?? {};
  return (
    <>
      <Csrf p={p} />
      <FormError message={problem?.general} />
      {creating ? (
        <TextField
          name="username"
          label={m.username}
          value={one(values, 'username')}
          required
          maxlength={64}
          autocomplete="off"
          hint={m.usernameRule}
          error={e.username}
        />
      ) : null}
      <TextField
        name="displayName"
        label={m.displayName}
        value={one(values, 'displayName')}
        required
        maxlength={200}
        error={e.displayName}
      />
      <TextField
        name="password"
        type="password"
        label={creating ? m.password : m.newPassword}
        autocomplete="new-password"
        required={creating}
        maxlength={200}
        hint={m.passwordHint}
        error={e.password}
      />
      <SelectField
        name="role"
        label={m.role}
        value={one(values, 'role') || 'secretary'}
        options={roles.map((r) => [r, m.roles[r]] as const)}
        error={e.role}
      />
      <Choices
        type="checkbox"
        name="hamletIds"
        label={m.scope}
        options={hamlets}
        checked={many(values, 'hamletIds')}
        error={e.hamletIds}
      />
    </>
  );
}

export function adminUserRoutes(deps: WebDeps) {
  const { services } = deps;
  const app = new Hono();

  async function hamletOptions(c: Context) {
    return (await hamletsOf(services, signedIn(c))).map((h) => [h.id, h.name] as const);
  }

  async function renderList(c: Context, values: FormValues = {}, problem?: FormProblem) {
    const ctx = signedIn(c);
    assertAllowed(ctx.actor, 'user.manage');
    const p = pageContext(c);
    const m = p.m;
    const hamlets = await hamletOptions(c);
    const names = new Map(hamlets);
    const users = (await services.users.list(ctx, { limit: 200 })).items;
    return sendPage(
      c,
      <Layout p={p} title={m.usersTitle} notice={notices(m)[c.req.query('tb') ?? '']}>
        <section aria-label={m.usersTitle}>
          <Table headings={[m.username, m.role, m.scope, m.state]}>
            {users.map((u: UserRow) => (
              <tr>
                <th scope="row">
                  <a href={paths.user(u.id)} aria-label={`${m.edit}: ${u.username}`}>
                    {u.username}
                  </a>
                  <br />
                  <span class="meta">{u.displayName}</span>
                </th>
                <td data-label={m.role}>{m.roles[u.role]}</td>
                <td data-label={m.scope}>
                  {u.hamletIds.length === 0
                    ? m.wholeCommune
                    : u.hamletIds.map((id) => names.get(id) ?? id).join(', ')}
                </td>
                <td>
                  {u.disabledAt ? (
                    <Badge tone="muted">{m.disabled}</Badge>
                  ) : (
                    <Badge tone="ok">{m.active}</Badge>
                  )}
                </td>
              </tr>
            ))}
          </Table>
        </section>
        <Section title={m.addUser} id="add">
          <form method="post" action={paths.users} novalidate>
            <UserFields p={p} values={values} problem={problem} hamlets={hamlets} creating />
            <button type="submit">{m.addUser}</button>
          </form>
        </Section>
      </Layout>,
      problem?.status ?? 200,
    );
  }

  async function renderEdit(c: Context, id: string, values?: FormValues, problem?: FormProblem) {
    const ctx = signedIn(c);
    assertAllowed(ctx.actor, 'user.manage');
    const p = pageContext(c);
    const user = await services.users.get(ctx, id);
    const shown: FormValues = values ?? {
      displayName: user.displayName,
      role: user.role,
      hamletIds: [...user.hamletIds],
      ...(user.disabledAt ? { disabled: '1' } : {}),
    };
    return sendPage(
      c,
      <Layout p={p} title={`${p.m.edit}: ${user.username}`}>
        <section aria-label={user.username}>
          <form method="post" action={paths.user(user.id)} novalidate>
            <UserFields
              p={p}
              values={shown}
              problem={problem}
              hamlets={await hamletOptions(c)}
              creating={false}
            />
            <Choices
              type="checkbox"
              name="disabled"
              label={p.m.state}
              options={[['1', p.m.disabledAccount]]}
              checked={one(shown, 'disabled') ? ['1'] : []}
            />
            <div class="actions">
              <button type="submit">{p.m.save}</button>
              <a class="button secondary" href={paths.users}>
                {p.m.backToList}
              </a>
            </div>
          </form>
        </section>
      </Layout>,
      problem?.status ?? 200,
    );
  }

  app.get(paths.users, (c) => renderList(c));

  app.post(paths.users, async (c) => {
    const ctx = signedIn(c);
    assertAllowed(ctx.actor, 'user.manage');
    const p = pageContext(c);
    const form = await readForm(c);
    const fields = check(form, p.m, true);
    if (Object.keys(fields).length > 0)
      return renderList(c, form, { general: p.m.fixBelow, fields, status: 400 });
    try {
      await services.users.create(ctx, {
        username: one(form, 'username').normalize('NFC').trim(),
        password: one(form, 'password'),
        role: one(form, 'role') as Role,
        hamletIds: many(form, 'hamletIds'),
        displayName: one(form, 'displayName').trim(),
      });
    } catch (error) {
      return renderList(c, form, withUsernameConflict(problemOf(error, p.lang, fieldMap)));
    }
    return seeOther(c, paths.users, 'savedUser');
  });

  app.get('/quan-tri/nguoi-dung/:id', (c) => renderEdit(c, c.req.param('id')));

  app.post('/quan-tri/nguoi-dung/:id', async (c) => {
    const ctx = signedIn(c);
    assertAllowed(ctx.actor, 'user.manage');
    const p = pageContext(c);
    const id = c.req.param('id');
    const form = await readForm(c);
    const fields = check(form, p.m, false);
    if (Object.keys(fields).length > 0)
      return renderEdit(c, id, form, { general: p.m.fixBelow, fields, status: 400 });
    try {
      await services.users.update(ctx, id, {
        displayName: one(form, 'displayName').trim(),
        role: one(form, 'role') as Role,
        hamletIds: many(form, 'hamletIds'),
        ...(one(form, 'password') && { password: one(form, 'password') }),
        disabled: one(form, 'disabled') === '1',
      });
    } catch (error) {
      return renderEdit(c, id, form, problemOf(error, p.lang, fieldMap));
    }
    return seeOther(c, paths.users, 'savedUser');
  });

  return app;
}
