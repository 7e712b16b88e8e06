import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Hamlet as HamletRow } from '../../../domain/hamlet.js';
import { isAllowed } from '../../../domain/policy.js';
import { ReceiverInputSchema } from '../../../domain/receiver/receiver.js';
import { formatLocalEn, formatLocalVi } from '../../../domain/schedule/index.js';
import type { ReceiverView } from '../../../services/receivers.service.js';
import { requestOrigin } from '../../forwarded.js';
import { gate } from '../../middleware/gate.js';
import { communeOf, hamletsOf } from '../commune.js';
import type { WebDeps } from '../deps.js';
import { one, problemOf, readForm, type FormProblem, type FormValues } from '../forms.js';
import { checkInput } from '../input.js';
import { pageContext, seeOther, sendPage, signedIn, type PageContext } from '../page.js';
import { paths } from '../paths.js';
import { enrolmentText } from '../../../domain/receiver/enrolment.js';
import { qrSvg } from '../qr.js';
import { Layout, notices, ReceiverState, Section, Table } from '../ui.js';
import { Csrf, FormError, PostButton, SelectField, TextField } from '../form-fields.js';

/** Hamlet and name: the same controls to add a receiver and to rename or move one. */
function ReceiverFields({
  p,
  hamlets,
  values,
  problem,
  moving,
}: {
  p: PageContext;
  hamlets: readonly HamletRow[];
  values: FormValues;
  problem?: FormProblem | undefined;
  moving?: boolean;
}) {
  const m = p.m;
  return (
    <>
      <Csrf p={p} />
      <FormError message={problem?.general} />
      <SelectField
        name="hamletId"
        label={m.hamlet}
        value={one(values, 'hamletId')}
        options={hamlets.map((h) => [h.id, h.name] as const)}
        hint={moving ? m.moveHint : undefined}
        error={problem?.fields.hamletId}
      />
      <TextField
        name="name"
        label={m.name}
        value={one(values, 'name')}
        required
        maxlength={200}
        error={problem?.fields.name}
      />
    </>
  );
}

/** The receiver the form asks for, checked with the use case's own schema; the service checks the hamlet. */
const readReceiver = (form: FormValues, p: PageContext) =>
  checkInput(ReceiverInputSchema, { name: one(form, 'name'), hamletId: one(form, 'hamletId') }, p);

/**
 * Receivers: everyone who may see them gets the list of their own hamlets' receivers with each one's
 * state; adding, editing, disabling and new tokens are for `receiver.manage` only, shown and accepted.
 */
export function adminReceiverRoutes(deps: WebDeps) {
  const { services } = deps;
  const app = new Hono();

  // Changing receivers is for `receiver.manage` only, checked before any input is read; the list is
  // for everyone who may read receivers, which the service checks.
  const manage = gate('receiver.manage');

  async function renderList(c: Context, values: FormValues = {}, problem?: FormProblem) {
    const ctx = signedIn(c);
    const canManage = isAllowed(ctx.actor, 'receiver.manage');
    const p = pageContext(c);
    const m = p.m;
    const commune = await communeOf(services, ctx);
    const hamlets = await hamletsOf(services, ctx);
    const names = new Map(hamlets.map((h) => [h.id, h.name]));
    const receivers: readonly ReceiverView[] = (await services.receivers.list(ctx, { limit: 200 })).items;
    const at = (iso: string) =>
      (p.lang === 'vi' ? formatLocalVi : formatLocalEn)(Date.parse(iso), commune.timeZone);
    const headings = [m.name, m.state, m.lastSeen, ...(canManage ? [m.actions] : [])];
    return sendPage(
      c,
      <Layout p={p} title={m.receiversTitle} notice={notices(m)[c.req.query('tb') ?? '']}>
        <section aria-label={m.receiversTitle}>
          <Table headings={headings}>
            {receivers.map((r) => {
              const hamlet = names.get(r.hamletId);
              // A receiver of a deleted hamlet can no longer be loaded by the service: no actions for it.
              const editable = canManage && hamlet !== undefined;
              return (
                <tr>
                  <th scope="row">
                    {editable ? (
                      <a href={paths.receiver(r.id)} aria-label={`${m.edit}: ${r.name}`}>
                        {r.name}
                      </a>
                    ) : (
                      r.name
                    )}
                    <br />
                    <span class="meta">{hamlet ?? m.hamletGone}</span>
                  </th>
                  <td data-label={m.state}>
                    <ReceiverState m={m} disabled={r.disabledAt !== null} online={r.health.online} />
                  </td>
                  <td data-label={m.lastSeen}>{r.lastSeenAt ? at(r.lastSeenAt) : m.never}</td>
                  {canManage ? (
                    <td data-label={editable ? undefined : m.actions}>
                      {editable ? (
                        <div class="actions">
                          <PostButton
                            p={p}
                            action={paths.receiverState(r.id)}
                            label={r.disabledAt ? m.unlockReceiver : m.lockReceiver}
                            target={r.name}
                            fields={{ disabled: r.disabledAt ? 'no' : 'yes' }}
                          />
                          <PostButton p={p} action={paths.rotate(r.id)} label={m.rotate} target={r.name} />
                          {r.disabledAt ? null : (
                            <a class="button secondary" href={paths.remoteControlOf(r.id)}>
                              {m.remote.title}
                            </a>
                          )}
                        </div>
                      ) : (
                        m.none
                      )}
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </Table>
        </section>
        {canManage ? (
          <Section title={m.addReceiver} id="add">
            <form method="post" action={paths.receivers} novalidate>
              <ReceiverFields p={p} hamlets={hamlets} values={values} problem={problem} />
              <button type="submit">{m.addReceiver}</button>
            </form>
          </Section>
        ) : null}
      </Layout>,
      problem?.status ?? 200,
    );
  }

  async function renderEdit(c: Context, id: string, values?: FormValues, problem?: FormProblem) {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const receiver = await services.receivers.get(ctx, id);
    const hamlets = await hamletsOf(services, ctx);
    return sendPage(
      c,
      <Layout p={p} title={`${p.m.edit}: ${receiver.name}`}>
        <section aria-label={receiver.name}>
          <form method="post" action={paths.receiver(receiver.id)} novalidate>
            <ReceiverFields
              p={p}
              hamlets={hamlets}
              values={values ?? { name: receiver.name, hamletId: receiver.hamletId }}
              problem={problem}
              moving
            />
            <div class="actions">
              <button type="submit">{p.m.save}</button>
              <a class="button secondary" href={paths.receivers}>
                {p.m.backToList}
              </a>
            </div>
          </form>
        </section>
      </Layout>,
      problem?.status ?? 200,
    );
  }

  /** The one page that shows a device token; it must not be cached anywhere. */
  function renderToken(c: Context, receiver: ReceiverView, token: string, notice?: string) {
    const p = pageContext(c);
    const m = p.m;
    // What the installer scans or copies into the controller box: server, receiver id and token.
    const text = enrolmentText({ server: requestOrigin(c), receiverId: receiver.id, token });
    const qr = qrSvg(text);
    return sendPage(
      c,
      <Layout p={p} title={`${m.tokenTitle}: ${receiver.name}`} notice={notice} scripts={['copy.js']}>
        <p class="warning" role="alert">
          {m.tokenOnce}
        </p>
        <svg class="qr" viewBox={qr.viewBox} role="img" aria-label={m.qrLabel} shape-rendering="crispEdges">
          <rect width="100%" height="100%" fill="#fff" />
          <path d={qr.d} fill="#000" />
        </svg>
        <p>
          <code class="token" data-token>
            {token}
          </code>
        </p>
        <h2 id="enrol-h">{m.enrolTitle}</h2>
        <p class="hint">{m.enrolHint}</p>
        <p>
          <code class="token" id="enrol" data-enrolment>
            {text}
          </code>
        </p>
        {/* Shown by copy.js; without scripts the text above is selected and copied by hand. */}
        <p class="actions" data-copy-row hidden>
          <button type="button" class="secondary" data-copy="enrol" data-copied={m.copied}>
            {m.copyEnrolment}
          </button>
          <span role="status" class="meta" data-copy-status></span>
        </p>
        <p>
          <a class="button secondary" href={paths.receivers}>
            {m.backToList}
          </a>
        </p>
      </Layout>,
    );
  }

  app.get(paths.receivers, (c) => renderList(c));

  app.post(paths.receivers, manage, async (c) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const form = await readForm(c);
    const input = readReceiver(form, p);
    if (!input.ok) return renderList(c, form, input.problem);
    try {
      const { receiver, token } = await services.receivers.create(ctx, input.value);
      return renderToken(c, receiver, token, p.m.createdReceiver);
    } catch (error) {
      return renderList(c, form, problemOf(error, p.lang));
    }
  });

  app.get('/quan-tri/cum-loa/:id', manage, (c) => renderEdit(c, c.req.param('id')));

  app.post('/quan-tri/cum-loa/:id', manage, async (c) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const id = c.req.param('id');
    const form = await readForm(c);
    const input = readReceiver(form, p);
    if (!input.ok) return renderEdit(c, id, form, input.problem);
    try {
      await services.receivers.update(ctx, id, input.value);
    } catch (error) {
      return renderEdit(c, id, form, problemOf(error, p.lang));
    }
    return seeOther(c, paths.receivers, 'saved');
  });

  // Disabling refuses the device's token at once and closes its push channel (the service does both).
  app.post('/quan-tri/cum-loa/:id/trang-thai', manage, async (c) => {
    const ctx = signedIn(c);
    const disabled = one(await readForm(c), 'disabled');
    if (disabled !== 'yes' && disabled !== 'no')
      throw new HTTPException(400, { message: 'disabled: yes or no' });
    await services.receivers.update(ctx, c.req.param('id'), { disabled: disabled === 'yes' });
    return seeOther(c, paths.receivers, disabled === 'yes' ? 'receiverLocked' : 'receiverUnlocked');
  });

  app.post('/quan-tri/cum-loa/:id/doi-ma', manage, async (c) => {
    const ctx = signedIn(c);
    const { receiver, token } = await services.receivers.rotateToken(ctx, c.req.param('id'));
    return renderToken(c, receiver, token);
  });

  return app;
}
