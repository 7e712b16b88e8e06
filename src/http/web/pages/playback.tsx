import { Hono } from 'hono';
import { formatLocalEn, formatLocalVi, utcToLocal } from '../../../domain/schedule/index.js';
import type { PlaybackView } from '../../../services/monitoring.service.js';
import { gate } from '../../middleware/gate.js';
import { communeOf, hamletsOf } from '../commune.js';
import type { WebDeps } from '../deps.js';
import { pageContext, sendPage, signedIn, type PageContext } from '../page.js';
import { paths } from '../paths.js';
import { Badge, Layout, occurrenceTone, Section } from '../ui.js';
import { airedCount, ReceiverPlaybackTable } from './playback-table.js';
import { receiverDayRoutes } from './receiver-day.js';

const when = (iso: string, timeZone: string, p: PageContext) =>
  (p.lang === 'vi' ? formatLocalVi : formatLocalEn)(Date.parse(iso), timeZone);

/** One occurrence's line: time, its status and how many of the expected boxes aired it. */
function OccurrenceSummary({ p, o, timeZone }: { p: PageContext; o: PlaybackView; timeZone: string }) {
  const m = p.m;
  return (
    <p class="meta">
      {when(o.startsAt, timeZone, p)} ·{' '}
      <Badge tone={occurrenceTone[o.status]}>{m.occurrence[o.status]}</Badge> ·{' '}
      <strong data-aired>{m.airedOf(airedCount(o.receivers), o.receivers.length)}</strong>
    </p>
  );
}

/**
 * The commune office's proof of playback: a page per broadcast (every occurrence, every box) and per
 * occurrence, with each box's status, start, end and the hash of the audio it played; and a box's day.
 */
/**
 * The hamlets of a broadcast by name, those the viewer may see; a hamlet head's view of one booked for
 * other hamlets too counts them, since their ids mean nothing to her and their names are not hers to read.
 */
function hamletList(
  ids: readonly string[],
  names: ReadonlyMap<string, string>,
  m: ReturnType<typeof pageContext>['m'],
): string {
  const seen = ids.flatMap((id) => names.get(id) ?? []);
  const others = ids.length - seen.length;
  return [...seen, ...(others > 0 ? [m.otherHamlets(others)] : [])].join(', ');
}

export function playbackRoutes(deps: WebDeps) {
  const { services } = deps;
  const app = new Hono();
  const reader = gate('playback.read');

  app.get('/giam-sat/phat/:id', reader, async (c) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const m = p.m;
    const [found, commune, hamlets] = await Promise.all([
      services.monitoring.broadcast(ctx, c.req.param('id')),
      communeOf(services, ctx),
      hamletsOf(services, ctx),
    ]);
    const names = new Map(hamlets.map((h) => [h.id, h.name]));
    const b = found.broadcast;
    const tz = commune.timeZone;
    return sendPage(
      c,
      <Layout p={p} title={m.broadcastTitle(found.title)}>
        <dl class="facts">
          <dt>{m.priorityLabel}</dt>
          <dd>{m.priority[b.priority]}</dd>
          <dt>{m.hamlets}</dt>
          <dd>{hamletList(b.hamletIds, names, m)}</dd>
          <dt>{m.bookedAt}</dt>
          <dd>{when(b.createdAt, tz, p)}</dd>
        </dl>
        {found.truncated ? <p class="meta">{m.latestOnly(found.occurrences.length)}</p> : null}
        {found.occurrences.map((o) => (
          <Section
            title={`${names.get(o.hamletId) ?? o.hamletId} · ${utcToLocal(Date.parse(o.startsAt), tz).time}`}
            id={`o-${o.id}`}
          >
            <OccurrenceSummary p={p} o={o} timeZone={tz} />
            <ReceiverPlaybackTable
              p={p}
              receivers={o.receivers}
              timeZone={tz}
              date={utcToLocal(Date.parse(o.startsAt), tz).date}
            />
            <p>
              <a href={paths.occurrencePlayback(o.id)}>{m.seeOccurrence}</a>
            </p>
          </Section>
        ))}
      </Layout>,
    );
  });

  app.get('/giam-sat/luot-phat/:id', reader, async (c) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const m = p.m;
    const [o, commune, hamlets] = await Promise.all([
      services.monitoring.occurrence(ctx, c.req.param('id')),
      communeOf(services, ctx),
      hamletsOf(services, ctx),
    ]);
    const hamletName = hamlets.find((h) => h.id === o.hamletId)?.name ?? o.hamletId;
    const tz = commune.timeZone;
    return sendPage(
      c,
      <Layout p={p} title={m.occurrenceTitle(o.title)}>
        <dl class="facts">
          <dt>{m.hamlet}</dt>
          <dd>{hamletName}</dd>
          <dt>{m.priorityLabel}</dt>
          <dd>{m.priority[o.priority]}</dd>
        </dl>
        <OccurrenceSummary p={p} o={o} timeZone={tz} />
        <Section title={m.receivers} id="receivers">
          <ReceiverPlaybackTable
            p={p}
            receivers={o.receivers}
            timeZone={tz}
            date={utcToLocal(Date.parse(o.startsAt), tz).date}
          />
        </Section>
        <p>
          <a class="button secondary" href={paths.broadcastPlayback(o.broadcastId)}>
            {m.seeBroadcast}
          </a>
        </p>
      </Layout>,
    );
  });

  app.route('/', receiverDayRoutes(deps));
  return app;
}
