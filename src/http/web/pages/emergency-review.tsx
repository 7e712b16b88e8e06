import { notAirableReason, type Announcement } from '../../../domain/announcement.js';
import type { BroadcastRequest } from '../../../domain/broadcast.js';
import type { Hamlet } from '../../../domain/hamlet.js';
import type { ReceiverView } from '../../../services/receivers.service.js';
import { many, one, type FormValues } from '../forms.js';
import type { PageContext } from '../page.js';
import { paths } from '../paths.js';
import { Badge, Layout, processingTone } from '../ui.js';
import { Csrf, OnceKey } from '../form-fields.js';
import { carried } from './emergency-form.js';

/** The choices made so far, as hidden fields: the next post carries them on. */
function Carried({ values }: { values: FormValues }) {
  return (
    <>
      {carried.flatMap((name) =>
        many(values, name).map((v) => <input type="hidden" name={name} value={v} />),
      )}
    </>
  );
}

/** "Quay lại sửa": back to the form with what was chosen (the stored content is picked in it). */
function Back({ p, values }: { p: PageContext; values: FormValues }) {
  return (
    <form method="post" action={paths.emergency}>
      <Csrf p={p} />
      <input type="hidden" name="step" value="confirm" />
      <input type="hidden" name="content" value="existing" />
      <Carried values={values} />
      <button type="submit" name="edit" value="1" class="secondary">
        {p.m.back}
      </button>
    </form>
  );
}

export interface ReviewProps {
  readonly p: PageContext;
  readonly values: FormValues;
  readonly announcement: Announcement;
  readonly request: BroadcastRequest;
  readonly hamlets: readonly Hamlet[];
  readonly receivers: readonly ReceiverView[];
  readonly repeat: { readonly count: number; readonly intervalMin: number };
}

/** What will air where and when, with the hamlets' boxes online now. */
function Facts({ p, values, announcement, request, hamlets, receivers, repeat }: ReviewProps) {
  const m = p.m;
  const targets =
    request.hamletIds === 'all' ? hamlets : hamlets.filter((h) => request.hamletIds.includes(h.id));
  const start = request.at ? `${one(values, 'atTime')} ${one(values, 'atDate')}` : m.now;
  return (
    <>
      <dl class="facts">
        <dt>{m.announcement}</dt>
        <dd>{announcement.title}</dd>
        <dt>{m.processing}</dt>
        <dd>
          <Badge tone={processingTone[announcement.status]}>
            <span data-status-text>{m.status[announcement.status]}</span>
          </Badge>
        </dd>
        <dt>{m.hamlets}</dt>
        <dd>{targets.map((h) => h.name).join(', ')}</dd>
        <dt>{m.startAt}</dt>
        <dd>{start}</dd>
        <dt>{m.repeat}</dt>
        <dd>{request.repeat ? m.repeatBulletin : m.repeatDefault(repeat.count, repeat.intervalMin)}</dd>
      </dl>
      <div class="table-wrap">
        <table class="stack" data-online>
          <thead>
            <tr>
              <th scope="col">{m.hamlet}</th>
              <th scope="col">{m.onlineNow}</th>
            </tr>
          </thead>
          <tbody>
            {targets.map((h) => {
              const boxes = receivers.filter((r) => r.hamletId === h.id && r.disabledAt === null);
              const online = boxes.filter((r) => r.health.online).length;
              return (
                <tr data-hamlet={h.id}>
                  <th scope="row">{h.name}</th>
                  <td data-label={m.onlineNow}>
                    {boxes.length === 0 ? (
                      <Badge tone="warn">{m.noReceiversHere}</Badge>
                    ) : (
                      <Badge tone={online === boxes.length ? 'ok' : online === 0 ? 'bad' : 'warn'}>
                        {m.onlineOf(online, boxes.length)}
                      </Badge>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

/**
 * The step after the form: while the audio is processed, its state (updated in place by `status.js`,
 * which reloads the page once done; without scripts the page refreshes itself); when it can air, the
 * confirmation with a player and "Xác nhận phát"; when it cannot, why.
 */
export function ReviewPage(props: ReviewProps) {
  const { p, values, announcement: a } = props;
  const m = p.m;
  const why = notAirableReason(a);
  if (why === 'processing') {
    return (
      <Layout p={p} title={m.preparingTitle} scripts={['status.js']} refreshS={5}>
        <div
          class="card"
          data-poll={`/api/v1/announcements/${encodeURIComponent(a.id)}`}
          data-labels={JSON.stringify(m.status)}
          data-signature={`${a.status}:${a.variants.map((v) => `${v.language}=${v.status}`).join(',')}`}
        >
          <p aria-live="polite">{m.preparingText}</p>
          <Facts {...props} />
        </div>
        <Back p={p} values={values} />
      </Layout>
    );
  }
  if (why) {
    return (
      <Layout p={p} title={m.confirmTitle}>
        <p class="form-error" role="alert">
          {m.notAirable} {m.notOfferedWhy[why]}
          {why === 'failed' && a.error ? ` (${a.error})` : ''}
        </p>
        <Facts {...props} />
        <Back p={p} values={values} />
      </Layout>
    );
  }
  return (
    <Layout p={p} title={m.confirmTitle}>
      <p class="warning" role="alert">
        {m.confirmText}
      </p>
      <Facts {...props} />
      {a.variants
        .filter((v) => v.audio && v.approval === 'approved')
        .map((v) => (
          <audio
            controls
            preload="none"
            src={`/media/${v.audio!.sha256}.${v.audio!.format}`}
            aria-label={`${m.listen}: ${a.title}`}
          ></audio>
        ))}
      <form method="post" action={paths.emergency}>
        <Csrf p={p} />
        <input type="hidden" name="step" value="confirm" />
        <input type="hidden" name="content" value="existing" />
        <Carried values={values} />
        <OnceKey />
        <div class="actions">
          <button type="submit" class="danger">
            {m.confirm}
          </button>
          <button type="submit" name="edit" value="1" class="secondary">
            {m.back}
          </button>
        </div>
      </form>
    </Layout>
  );
}
