import { Hono, type Context } from 'hono';
import { COMMUNE_ROLES, type Role } from '../../../domain/actor.js';
import { UserInputSchema, UserPatchSchema, type User as UserRow } from '../../../domain/user.js';
import { gate } from '../../middleware/gate.js';
import { hamletsOf } from '../commune.js';
import type { WebDeps } from '../deps.js';
import { many, one, problemOf, readForm, type FormProblem, type FormValues } from '../forms.js';
import type { Messages } from '../i18n.js';
import { checkInput } from '../input.js';
import { pageContext, seeOther, sendPage, signedIn, type PageContext } from '../page.js';
import { paths } from '../paths.js';
import { Badge, Layout, Section, notices, Table } from '../ui.js';
import { Choices, Csrf, FormError, SelectField, TextField } from '../form-fields.js';

/** The rules spelled out next to the controls they concern, whatever the schema found wrong. */
const ruleMessages = (m: Messages) => ({ username: m.usernameRule, password: m.passwordRule });

// The service's refusals name these inputs, each problem on its own field.
const fieldMap = { hamletIds: 'hamletIds', role: 'role', username: 'username' };

function UserFields({
  p,
  values,
  problem,
  hamlets,
  creating,
  self = false,
  role,
}: {
  p: PageContext;
  values: FormValues;
  problem?: FormProblem | undefined;
  hamlets: readonly (readonly [string, string])[];
  creating: boolean;
  /** The signed-in person's own account: their password is changed on their own page. */
  self?: boolean;
  /** The role the account has (a province role is kept as it is, not read as the first option). */
  role?: Role;
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
      {/* Kept when the form comes back refused (the page is never cached): on a phone, typing a long
          password again because of another field is what makes people pick short ones. */}
      {self ? (
        <p>
          <a href={paths.account}>{m.account.title}</a>
        </p>
      ) : (
        <TextField
          name="password"
          type="password"
          value={problem ? one(values, 'password') : undefined}
          label={creating ? m.password : m.newPassword}
          autocomplete="new-password"
          required={creating}
          maxlength={200}
          hint={m.passwordHint}
          error={e.password}
        />
      )}
      <SelectField
        name="role"
        label={m.role}
        value={one(values, 'role') || 'secretary'}
        options={[...new Set<Role>([...COMMUNE_ROLES, ...(role ? [role] : [])])].map(
          (r) => [r, m.roles[r]] as const,
        )}
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
              self={user.id === ctx.actor.id}
              role={user.role}
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

  app.post(paths.users, gate('user.manage'), async (c) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const form = await readForm(c);
    const input = checkInput(
      UserInputSchema,
      {
        username: one(form, 'username'),
        password: one(form, 'password'),
        role: one(form, 'role'),
        hamletIds: many(form, 'hamletIds'),
        displayName: one(form, 'displayName'),
      },
      p,
      { messages: ruleMessages(p.m) },
    );
    if (!input.ok) {
      // The rules the service checks (a taken username, the scope a role needs) come in the same round.
      const wrong = input.problem.fields;
      const role = COMMUNE_ROLES.find((r) => r === one(form, 'role'));
      const more = await services.users.problemsOfNewUser(ctx, {
        username: wrong.username ? undefined : one(form, 'username').trim(),
        role: wrong.role ? undefined : role,
        hamletIds: many(form, 'hamletIds'),
      });
      const fields = { ...wrong };
      for (const problem of more)
        fields[problem.field] ??= p.lang === 'vi' ? problem.messageVi : problem.message;
      return renderList(c, form, { ...input.problem, fields });
    }
    try {
      await services.users.create(ctx, input.value);
    } catch (error) {
      return renderList(c, form, problemOf(error, p.lang, fieldMap));
    }
    return seeOther(c, paths.users, 'savedUser');
  });

  app.get('/quan-tri/nguoi-dung/:id', (c) => renderEdit(c, c.req.param('id')));

  app.post('/quan-tri/nguoi-dung/:id', gate('user.manage'), async (c) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const id = c.req.param('id');
    const form = await readForm(c);
    const input = checkInput(
      UserPatchSchema,
      {
        displayName: one(form, 'displayName'),
        role: one(form, 'role'),
        hamletIds: many(form, 'hamletIds'),
        ...(one(form, 'password') && { password: one(form, 'password') }),
        disabled: one(form, 'disabled') === '1',
      },
      p,
      { messages: ruleMessages(p.m) },
    );
    if (!input.ok) return renderEdit(c, id, form, input.problem);
    try {
      await services.users.update(ctx, id, input.value);
    } catch (error) {
      return renderEdit(c, id, form, problemOf(error, p.lang, fieldMap));
    }
    return seeOther(c, paths.users, 'savedUser');
  });

  return app;
}
