import { XMLBuilder } from 'fast-xml-parser';
import { Hono, type Context } from 'hono';
import { audioMime, LISTEN_AGAIN_DAYS, type ListenAgainEntry } from '../../../domain/listen-again.js';
import { formatLocalEn, formatLocalVi } from '../../../domain/schedule/index.js';
import type { ListenAgainView } from '../../../services/listen-again.service.js';
import { requestOrigin } from '../../forwarded.js';
import { languageName } from '../commune.js';
import { vi } from '../messages-vi.js';
import type { WebDeps } from '../deps.js';
import { pageContext, sendPage, type PageContext } from '../page.js';
import { paths } from '../paths.js';
import { Badge, Layout } from '../ui.js';

const placeOf = (view: ListenAgainView) =>
  view.hamlet ? `${view.hamlet.name}, ${view.commune.name}` : view.commune.name;

/** A feed is the same for everyone and changes when something airs: a few minutes in caches is fine. */
const CACHE = 'public, max-age=300';

function Entry({ p, view, entry }: { p: PageContext; view: ListenAgainView; entry: ListenAgainEntry }) {
  const tz = view.commune.timeZone;
  const at = (iso: string) => (p.lang === 'vi' ? formatLocalVi : formatLocalEn)(Date.parse(iso), tz);
  return (
    <li
      id={`tb-${entry.announcementId}`}
      data-announcement={entry.announcementId}
      data-active={String(entry.active)}
    >
      <h2 class="entry-title">
        {entry.priority === 'emergency' ? (
          <>
            <Badge tone="bad">{p.m.listenAgain.emergency}</Badge>{' '}
          </>
        ) : null}
        <span class="entry-name">{entry.title}</span>
      </h2>
      <p class="meta">
        {p.m.listenAgain.aired(at(entry.lastAiredAt))} · {p.m.categories[entry.category] ?? entry.category}
      </p>
      {entry.variants.map((v) => (
        <div class="player" data-language={v.language}>
          <span>{languageName(view.commune, v.language)}</span>
          <audio controls preload="none">
            <source src={v.url} type={audioMime(v.format)} />
          </audio>
        </div>
      ))}
    </li>
  );
}

function ListenAgainPage({ p, view, origin }: { p: PageContext; view: ListenAgainView; origin: string }) {
  const code = view.commune.code;
  const place = placeOf(view);
  const self = `${origin}${paths.listenAgain(code, view.hamlet?.id)}`;
  const feed = paths.listenAgainFeed(code, view.hamlet?.id);
  const title = p.m.listenAgain.title(place);
  const description = p.m.listenAgain.description(place);
  return (
    <Layout
      p={p}
      title={title}
      head={
        <>
          <meta name="description" content={description} />
          {/* Open Graph: what Zalo and Facebook show when the link is shared. */}
          <meta property="og:type" content="website" />
          <meta property="og:site_name" content="Loa" />
          <meta property="og:locale" content={p.lang === 'vi' ? 'vi_VN' : 'en_GB'} />
          <meta property="og:title" content={title} />
          <meta property="og:description" content={description} />
          <meta property="og:url" content={self} />
          <link rel="canonical" href={self} />
          <link rel="alternate" type="application/rss+xml" title={title} href={feed} />
        </>
      }
    >
      <p>{p.m.listenAgain.intro(place, LISTEN_AGAIN_DAYS)}</p>
      <p>
        <a href={feed} id="feed">
          {p.m.listenAgain.subscribe}
        </a>
      </p>
      {view.entries.length === 0 ? <p>{p.m.listenAgain.nothing}</p> : null}
      <ul class="list" id="aired">
        {view.entries.map((entry) => (
          <Entry p={p} view={view} entry={entry} />
        ))}
      </ul>
      {/* After the list: on a phone the first player shows without scrolling past a dozen hamlets. */}
      <nav aria-labelledby="places">
        <h2 id="places">{p.m.listenAgain.hamlets}</h2>
        <ul class="list">
          <li>
            <a href={paths.listenAgain(code)} aria-current={view.hamlet ? undefined : 'page'}>
              {p.m.listenAgain.wholeCommune}
            </a>
          </li>
          {view.hamlets.map((h) => (
            <li>
              <a
                href={paths.listenAgain(code, h.id)}
                aria-current={view.hamlet?.id === h.id ? 'page' : undefined}
              >
                {h.name}
              </a>
            </li>
          ))}
        </ul>
      </nav>
    </Layout>
  );
}

/** What XML 1.0 cannot carry at all (a control character pasted into a title): one would void the feed. */
const notXml = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const xmlText = (_name: string, value: unknown) =>
  typeof value === 'string' ? value.replace(notXml, '') : value;

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: true,
  format: true,
  tagValueProcessor: xmlText,
  attributeValueProcessor: xmlText,
});

/**
 * The podcast feed (RSS 2.0): one item per language version, each with its audio as the enclosure
 * (absolute URL, length in bytes, MIME type), so that any podcast app can subscribe.
 */
export function listenAgainFeed(view: ListenAgainView, origin: string, nowMs: number): string {
  const code = view.commune.code;
  const place = placeOf(view);
  const tz = view.commune.timeZone;
  const items = view.entries.flatMap((entry) => {
    const category = vi.categories[entry.category] ?? entry.category;
    return entry.variants.map((v) => ({
      title:
        entry.variants.length > 1
          ? `${entry.title} (${languageName(view.commune, v.language)})`
          : entry.title,
      description: `Phát lúc ${formatLocalVi(Date.parse(entry.lastAiredAt), tz)} · ${category}`,
      link: `${origin}${paths.listenAgain(code, view.hamlet?.id)}#tb-${entry.announcementId}`,
      guid: { '#text': `loa:${entry.announcementId}:${v.language}:${v.sha256}`, '@_isPermaLink': 'false' },
      pubDate: new Date(entry.lastAiredAt).toUTCString(),
      category,
      enclosure: { '@_url': `${origin}${v.url}`, '@_length': String(v.bytes), '@_type': audioMime(v.format) },
    }));
  });
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    rss: {
      '@_version': '2.0',
      '@_xmlns:atom': 'http://www.w3.org/2005/Atom',
      channel: {
        title: `Nghe lại — ${place}`,
        link: `${origin}${paths.listenAgain(code, view.hamlet?.id)}`,
        description: `Các thông báo đã phát trên loa truyền thanh ${place} trong ${LISTEN_AGAIN_DAYS} ngày qua.`,
        language: 'vi',
        'atom:link': {
          '@_href': `${origin}${paths.listenAgainFeed(code, view.hamlet?.id)}`,
          '@_rel': 'self',
          '@_type': 'application/rss+xml',
        },
        lastBuildDate: new Date(nowMs).toUTCString(),
        item: items,
      },
    },
  });
}

/** `/nghe-lai/…`: public, no sign-in; an unknown commune or hamlet, or one that turned it off, is 404. */
export function listenAgainRoutes(deps: WebDeps) {
  const { services, clock } = deps;
  const app = new Hono();

  const render = async (c: Context, code: string, hamletId?: string) => {
    const view = await services.listenAgain.aired(code, hamletId);
    // Not cached: a signed-in visitor's page names them in its header.
    return sendPage(c, <ListenAgainPage p={pageContext(c)} view={view} origin={requestOrigin(c)} />);
  };
  const feed = async (c: Context, code: string, hamletId?: string) => {
    const view = await services.listenAgain.aired(code, hamletId);
    return c.body(listenAgainFeed(view, requestOrigin(c), clock.now().getTime()), 200, {
      'content-type': 'application/rss+xml; charset=utf-8',
      'cache-control': CACHE,
    });
  };

  app.get('/nghe-lai/:code/rss.xml', (c) => feed(c, c.req.param('code')));
  app.get('/nghe-lai/:code/:hamlet/rss.xml', (c) => feed(c, c.req.param('code'), c.req.param('hamlet')));
  app.get('/nghe-lai/:code', (c) => render(c, c.req.param('code')));
  app.get('/nghe-lai/:code/:hamlet', (c) => render(c, c.req.param('code'), c.req.param('hamlet')));
  return app;
}
