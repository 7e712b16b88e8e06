import { CommuneInputSchema } from '../domain/province.js';
import type { NodeRuntime } from '../node.js';
import { fail, out, withRuntime, type Command } from './run.js';

/** Acts as the province's admin `tinh`: the command runs on the server itself, as its operator. */
const provinceOperator = (runtime: NodeRuntime) => runtime.services.users.operator('tinh');

/** `loa commune add|list|delete`: the province's communes, through the same service as the API. */
export const commune: Command = async (config, args, opts) => {
  const [sub, id] = args;
  if (sub !== 'add' && sub !== 'list' && sub !== 'delete') return fail('Use: loa commune add|list|delete');
  let input: ReturnType<typeof CommuneInputSchema.parse> | undefined;
  if (sub === 'add') {
    const adminUsername = opts['admin-username'];
    const checked = CommuneInputSchema.safeParse({
      ...(opts.id !== undefined && { id: opts.id }),
      name: opts.name,
      code: opts.code,
      ...(opts['time-zone'] !== undefined && { timeZone: opts['time-zone'] }),
      ...(adminUsername !== undefined && {
        admin: { username: adminUsername, displayName: opts['admin-name'] ?? adminUsername },
      }),
    });
    if (!checked.success) {
      const flag = (path: readonly PropertyKey[]) =>
        path[0] === 'admin'
          ? path[1] === 'displayName'
            ? '--admin-name'
            : '--admin-username'
          : `--${String(path[0])}`;
      return fail(checked.error.issues.map((i) => `${flag(i.path)}: ${i.message}`).join('\n'));
    }
    input = checked.data;
  }
  if (sub === 'delete' && !id) return fail('Give the commune id: loa commune delete <id> --yes');
  return withRuntime(config, async (runtime) => {
    const ctx = await provinceOperator(runtime);
    if (sub === 'list') {
      for (const { commune: c, receivers } of await runtime.services.communes.overview(ctx)) {
        out(`${c.id}\t${c.code}\t${receivers.online}/${receivers.total}\t${c.name}`);
      }
      return 0;
    }
    if (sub === 'delete') {
      // Nothing restores a deleted commune: a mistyped id must not be one keystroke from it.
      const found = (await runtime.services.communes.overview(ctx)).find((o) => o.commune.id === id);
      if (found && !opts.yes) {
        return fail(
          `This hides ${found.commune.name} (${found.commune.code}) for good: its users can no longer sign in and its ${found.receivers.total} receiver(s) are refused. Run again with --yes: loa commune delete ${id} --yes`,
        );
      }
      await runtime.services.communes.remove(ctx, id!);
      out(`Deleted commune ${id}: its users can no longer sign in and its receivers are refused.`);
      return 0;
    }
    const created = await runtime.services.communes.create(ctx, input!);
    out(`Created commune ${created.commune.id} (${created.commune.code}) ${created.commune.name}.`);
    if (created.admin) {
      out(`First admin: ${created.admin.username}  Password (shown only now): ${created.admin.password}`);
    }
    return 0;
  });
};
