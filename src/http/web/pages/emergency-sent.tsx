import type { BroadcastReach } from '../../../services/monitoring.service.js';
import type { Messages } from '../i18n.js';
import type { PageContext } from '../page.js';
import { paths } from '../paths.js';
import { Layout } from '../ui.js';

/** A message with numbers as a template the script fills in: `{n}` and `{total}`. */
const template = (message: (n: number, total: number) => string): string =>
  message(1_000_001, 1_000_002).replace('1000001', '{n}').replace('1000002', '{total}');

/** Why a box has not started, in words: waiting for its report, offline when sent, or its status. */
export function notStartedReason(m: Messages, r: BroadcastReach['notStarted'][number]): string {
  if (r.status === 'scheduled') return r.onlineWhenSent ? m.waitingReport : m.offlineWhenSent;
  return m.receiverPlayback[r.status];
}

/**
 * After "Xác nhận phát": how many boxes the emergency was sent to (online when it was sent), how many
 * have started it, updated live by `reach.js` polling the broadcast's reach (without scripts the page
 * refreshes itself), and the names of the boxes that have not.
 */
export function SentPage({
  p,
  reach,
  hamletNames,
  notice,
}: {
  p: PageContext;
  reach: BroadcastReach;
  hamletNames: Readonly<Record<string, string>>;
  notice?: string | undefined;
}) {
  const m = p.m;
  const labels = {
    ...m.receiverPlayback,
    waiting: m.waitingReport,
    offlineWhenSent: m.offlineWhenSent,
  };
  return (
    <Layout p={p} title={m.reachTitle} scripts={['reach.js']} refreshS={10} notice={notice}>
      <section
        aria-labelledby="reach-h"
        data-reach={`/api/v1/broadcasts/${encodeURIComponent(reach.broadcastId)}/reach`}
        data-labels={JSON.stringify(labels)}
        data-hamlets={JSON.stringify(hamletNames)}
        data-msg-started={template(m.startedOf)}
      >
        <h2 id="reach-h" data-reach-sent>
          {m.sentTo(reach.online, reach.receivers)}
        </h2>
        <p class="reach-count" data-reach-started aria-live="polite">
          {m.startedOf(reach.started, reach.receivers)}
        </p>
        <h3>{m.notStartedTitle}</h3>
        <ul class="list" data-reach-pending hidden={reach.notStarted.length === 0}>
          {reach.notStarted.map((r) => (
            <li data-receiver={r.receiverId}>
              <strong>{r.name}</strong> — {hamletNames[r.hamletId] ?? r.hamletId} · {notStartedReason(m, r)}
            </li>
          ))}
        </ul>
        <p data-reach-all hidden={reach.notStarted.length > 0}>
          {m.allStarted}
        </p>
        <p class="meta">{m.reachLive}</p>
      </section>
      <p>
        <a class="button secondary" href={paths.broadcastPlayback(reach.broadcastId)}>
          {m.seeReceivers}
        </a>
      </p>
    </Layout>
  );
}
