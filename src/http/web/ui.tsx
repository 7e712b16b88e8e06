import { bulletinMessages } from './bulletin-messages.js';
import type { Child, PropsWithChildren } from 'hono/jsx';
import { roleAllows } from '../../domain/policy.js';
import { assetUrl } from './assets/index.js';
import type { Messages } from './i18n.js';
import type { PageContext } from './page.js';
import { paths } from './paths.js';
import { tenancyMessages } from './tenancy-messages.js';
import { Csrf } from './form-fields.js';

interface LayoutProps {
  readonly p: PageContext;
  readonly title: string;
  /** Client scripts this page enhances itself with (file names under the assets path). */
  readonly scripts?: readonly string[];
  /** Without JavaScript, a page that shows live progress reloads itself this often (seconds). */
  readonly refreshS?: number;
  /** A short confirmation shown on top, e.g. after a redirect. */
  readonly notice?: string | undefined;
  /** More of the head: a public page's description, Open Graph tags and feed link. */
  readonly head?: Child;
}

function Nav({ p }: { p: PageContext }) {
  const actor = p.auth?.actor;
  if (!actor) return null;
  const items: [string, string, boolean][] = [
    [paths.send, p.m.nav.send, roleAllows(actor.role, 'announcement.create')],
    [paths.mine, p.m.nav.mine, roleAllows(actor.role, 'announcement.read')],
    [paths.schedule, p.m.nav.schedule, roleAllows(actor.role, 'broadcast.read')],
    [paths.monitor, p.m.nav.monitor, roleAllows(actor.role, 'announcement.approve')],
    [paths.admin, p.m.nav.admin, roleAllows(actor.role, 'hamlet.manage')],
    // Admins reach the receivers through their own pages; the others who may see receivers get a link.
    [
      paths.receivers,
      p.m.nav.receivers,
      roleAllows(actor.role, 'receiver.read') && !roleAllows(actor.role, 'hamlet.manage'),
    ],
    // The province's own pages, for its staff.
    [paths.inbox, bulletinMessages[p.lang].navInbox, roleAllows(actor.role, 'bulletin.answer')],
    [paths.province, tenancyMessages[p.lang].communesNav, roleAllows(actor.role, 'province.read')],
    [paths.provinceReport, p.m.nav.provinceReport, roleAllows(actor.role, 'province.read')],
    [paths.bulletins, bulletinMessages[p.lang].navProvince, roleAllows(actor.role, 'province.read')],
    [paths.machineTokens, p.m.nav.machineTokens, roleAllows(actor.role, 'province.manage')],
    [paths.webhooks, p.m.nav.webhooks, roleAllows(actor.role, 'province.manage')],
  ];
  return (
    <nav aria-label={p.m.appName}>
      <ul class="nav">
        {items
          .filter(([, , allowed]) => allowed)
          .map(([href, label]) => (
            <li>
              <a
                href={href}
                aria-current={p.path === href || p.path.startsWith(`${href}/`) ? 'page' : undefined}
              >
                {label}
              </a>
            </li>
          ))}
      </ul>
    </nav>
  );
}

/**
 * The commune switcher of province staff: a form that works without JavaScript, posting the chosen
 * commune (only their province's are offered, and the server checks again) with the CSRF token.
 */
function CommuneSwitcher({ p, current }: { p: PageContext; current: string }) {
  const tm = tenancyMessages[p.lang];
  return (
    <form method="post" action={paths.switchCommune} class="switcher" aria-label={tm.switcherForm}>
      <Csrf p={p} />
      <input type="hidden" name="next" value={p.path} />
      <label for="xa-dang-xem">{tm.switcherLabel}</label>
      <select id="xa-dang-xem" name="xa">
        {(p.communes ?? []).map((c) => (
          <option value={c.id} selected={c.id === current}>
            {c.name}
          </option>
        ))}
      </select>
      <button type="submit" class="secondary">
        {tm.switchTo}
      </button>
    </form>
  );
}

/** The frame of every page: header with the language switch and sign-out, navigation for the role, main. */
export function Layout({
  p,
  title,
  scripts = [],
  refreshS,
  notice,
  head,
  children,
}: PropsWithChildren<LayoutProps>) {
  const actor = p.auth?.actor;
  return (
    <html lang={p.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Loa`}</title>
        <link rel="stylesheet" href={assetUrl('app.css')} />
        <link rel="icon" href={assetUrl('favicon.svg')} type="image/svg+xml" />
        {head}
        {refreshS ? (
          <noscript>
            <meta http-equiv="refresh" content={String(refreshS)} />
          </noscript>
        ) : null}
        {scripts.map((s) => (
          <script src={assetUrl(s)} defer></script>
        ))}
      </head>
      <body>
        <a class="skip" href="#main">
          {p.m.skip}
        </a>
        <header class="top">
          <a class="brand" href={paths.home}>
            Loa
          </a>
          <div class="top-actions">
            <a
              class="lang"
              href={`${paths.language(p.m.switchLang)}?next=${encodeURIComponent(p.path)}`}
              lang={p.m.switchLang}
            >
              {p.m.switchTo}
            </a>
            {actor ? (
              <form method="post" action={paths.signOut} class="inline">
                <input type="hidden" name="_csrf" value={p.csrf} />
                <button type="submit" class="link">
                  {p.m.signOut}
                </button>
              </form>
            ) : null}
          </div>
        </header>
        {actor ? (
          <p class="who">
            {p.m.signedInAs} <strong>{actor.username}</strong> · {p.m.roles[actor.role]} ·{' '}
            <a href={paths.account}>{p.m.account.title}</a>
          </p>
        ) : null}
        {actor && p.communes ? <CommuneSwitcher p={p} current={actor.communeId} /> : null}
        <Nav p={p} />
        <main id="main" tabindex={-1}>
          <h1>{title}</h1>
          {notice ? (
            <p class="notice" role="status">
              {notice}
            </p>
          ) : null}
          {children}
        </main>
      </body>
    </html>
  );
}

type Tone = 'ok' | 'warn' | 'bad' | 'info' | 'muted';

/** A status as a word plus a colour and a symbol, never colour alone. */
export function Badge({ tone, children }: PropsWithChildren<{ tone: Tone }>) {
  const symbol: Record<Tone, string> = { ok: '✓', warn: '…', bad: '✕', info: '•', muted: '–' };
  return (
    <span class={`badge ${tone}`}>
      <span aria-hidden="true">{symbol[tone]}</span> {children}
    </span>
  );
}

/** A receiver's state as its list shows it: disabled first (its token is refused), then its heartbeat. */
export function ReceiverState({ m, disabled, online }: { m: Messages; disabled: boolean; online: boolean }) {
  return disabled ? (
    <Badge tone="muted">{m.disabled}</Badge>
  ) : online ? (
    <Badge tone="ok">{m.online}</Badge>
  ) : (
    <Badge tone="bad">{m.offline}</Badge>
  );
}

export const processingTone = { queued: 'info', processing: 'info', ready: 'ok', failed: 'bad' } as const;
export const approvalTone = { pending: 'warn', approved: 'ok', rejected: 'bad' } as const;
export const occurrenceTone = {
  scheduled: 'info',
  played: 'ok',
  failed: 'bad',
  missed: 'warn',
  cancelled: 'muted',
  playing: 'info',
  interrupted: 'info',
} as const;

/** A table that stacks into labelled rows on a phone; rows label their cells with `data-label`. */
export function Table({ headings, children }: PropsWithChildren<{ headings: readonly string[] }>) {
  return (
    <div class="table-wrap">
      <table class="stack">
        <thead>
          <tr>
            {headings.map((h) => (
              <th scope="col">{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

export function Section({ title, children, id }: PropsWithChildren<{ title: string; id: string }>) {
  return (
    <section aria-labelledby={`${id}-h`} id={id}>
      <h2 id={`${id}-h`}>{title}</h2>
      {children}
    </section>
  );
}

export function notices(m: Messages): Record<string, string> {
  return {
    scheduled: m.scheduled,
    cancelled: m.cancelled,
    approved: m.approved,
    rejected: m.rejected,
    rejectedOffAir: m.rejectedOffAir,
    queuedAgain: m.queuedAgain,
    savedUser: m.savedUser,
    saved: m.saved,
    savedSettings: m.savedSettings,
    emergency: m.emergencySent,
    deletedHamlet: m.deletedHamlet,
    receiverLocked: m.receiverLocked,
    receiverUnlocked: m.receiverUnlocked,
    commandSent: m.remote.sent,
    passwordChanged: m.account.changed,
  };
}
