import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegBase } from '../../src/http/web/assets/ffmpeg-vendor.js';
import { isPagePath } from '../../src/http/web/paths.js';
import { createHarness, fixtureUsers, type FixtureUser, type Harness } from '../support/harness.js';
import { page, signInPage, type CookieSession } from './support.js';

const ffmpegRoute = `GET ${ffmpegBase}/:dir/:name`;

type Caller = FixtureUser | 'anonymous';
const users = Object.keys(fixtureUsers) as FixtureUser[];

/**
 * The pages' own authorization table, like the API's matrix: every page route, every role, a target inside
 * the hamlet-scoped users' hamlet (Ún Tà) and one outside it. Anonymous visitors are sent to sign in (303);
 * a refusal is the 403 page in Vietnamese.
 */
interface Row {
  readonly path: (ids: Ids, scope: 'in' | 'out') => string;
  readonly form?: Record<string, string>;
  readonly inScope: Readonly<Record<FixtureUser, number>>;
  readonly outOfScope?: Readonly<Record<FixtureUser, number>>;
}

interface Ids {
  readonly announcement: Record<'in' | 'out', string>;
  readonly broadcast: Record<'in' | 'out', string>;
  readonly occurrence: Record<'in' | 'out', string>;
  readonly receiver: string;
  readonly user: string;
}

const allow = (allowed: readonly FixtureUser[], ok = 200, refused = 403) =>
  Object.fromEntries(users.map((u) => [u, allowed.includes(u) ? ok : refused])) as Record<
    FixtureUser,
    number
  >;
const everyone = (status = 200) => allow(users, status);
const office = ['admin', 'officer'] as const satisfies readonly FixtureUser[];
const hamlet = (scope: 'in' | 'out') => (scope === 'in' ? 'un-ta' : 'thon-2');

const rows: Readonly<Record<string, Row>> = {
  'GET /': { path: () => '/', inScope: everyone(303) },
  'GET /dang-nhap': { path: () => '/dang-nhap', inScope: everyone(303) },
  'POST /dang-nhap': {
    path: () => '/dang-nhap',
    form: { username: 'x', password: 'y' },
    inScope: everyone(401),
  },
  'POST /dang-xuat': { path: () => '/dang-xuat', form: {}, inScope: everyone(303) },
  'GET /ngon-ngu/:lang': { path: () => '/ngon-ngu/en', inScope: everyone(303) },
  'GET /tai-khoan': { path: () => '/tai-khoan', inScope: everyone() },
  // Everyone may change their own password; a wrong current one changes nobody's.
  'POST /tai-khoan': {
    path: () => '/tai-khoan',
    form: {
      currentPassword: 'not the password',
      newPassword: 'a brand new password',
      newPasswordAgain: 'a brand new password',
    },
    inScope: everyone(422),
  },
  'GET /tai-nguyen/:name': { path: () => '/tai-nguyen/app.css', inScope: everyone(200) },
  // ffmpeg's browser files for processing recordings on the phone, public like the other static files.
  [ffmpegRoute]: { path: () => `${ffmpegBase}/core/ffmpeg-core.js`, inScope: everyone(200) },
  'GET /thong-bao/gui': { path: () => '/thong-bao/gui', inScope: everyone() },
  // A urlencoded post is not an upload: 415 from the upload reader, after the role check.
  'POST /thong-bao/gui': { path: () => '/thong-bao/gui', form: { title: '' }, inScope: everyone(415) },
  'GET /thong-bao': { path: () => '/thong-bao', inScope: everyone() },
  'GET /thong-bao/:id': {
    path: (ids, s) => `/thong-bao/${ids.announcement[s]}`,
    inScope: everyone(),
    outOfScope: allow(office),
  },
  // A version's audio behind the session, scoped as the page: no such version in scope, refused out of it.
  'GET /thong-bao/:id/am-thanh/:file{[^/]+\\.(mp3|opus)}': {
    path: (ids, s) => `/thong-bao/${ids.announcement[s]}/am-thanh/khong-co.mp3`,
    inScope: everyone(404),
    outOfScope: allow(office, 404),
  },
  'POST /thong-bao/:id/xu-ly-lai': {
    path: (ids, s) => `/thong-bao/${ids.announcement[s]}/xu-ly-lai`,
    form: {},
    // Allowed roles reach the rule "nothing failed, nothing to retry", shown as a page.
    inScope: everyone(422),
    outOfScope: allow(office, 422),
  },
  'POST /thong-bao/:id/ban-dich': {
    path: (ids, s) => `/thong-bao/${ids.announcement[s]}/ban-dich`,
    form: { language: 'giay' },
    inScope: everyone(415),
    outOfScope: allow(office, 415),
  },
  // The fixture announcements are the admin's: hamlet roles did not write them, so only the office may.
  'GET /thong-bao/:id/rut-lai': {
    path: (ids, s) => `/thong-bao/${ids.announcement[s]}/rut-lai`,
    inScope: allow(office),
    outOfScope: allow(office),
  },
  'POST /thong-bao/:id/rut-lai': {
    path: (ids, s) => `/thong-bao/${ids.announcement[s]}/rut-lai`,
    form: {},
    inScope: allow(office, 303),
    outOfScope: allow(office, 303),
  },
  'POST /thong-bao/:id/duyet': {
    path: (ids, s) => `/thong-bao/${ids.announcement[s]}/duyet`,
    form: {},
    inScope: allow(office, 303),
    outOfScope: allow(office, 303),
  },
  'POST /thong-bao/:id/tu-choi': {
    path: (ids, s) => `/thong-bao/${ids.announcement[s]}/tu-choi`,
    form: { reason: '' },
    inScope: allow(office, 400),
    outOfScope: allow(office, 400),
  },
  'GET /lich-phat': { path: () => '/lich-phat', inScope: allow(['admin', 'officer', 'head'], 303) },
  'GET /lich-phat/:hamletId': {
    path: (_ids, s) => `/lich-phat/${hamlet(s)}`,
    inScope: allow(['admin', 'officer', 'head']),
    outOfScope: allow(office),
  },
  'POST /lich-phat/:hamletId': {
    path: (_ids, s) => `/lich-phat/${hamlet(s)}`,
    form: { kind: 'slot', slotName: 'morning', slotDate: 'bad' },
    inScope: allow(['admin', 'officer', 'head'], 400),
    outOfScope: allow(office, 400),
  },
  'POST /lich-phat/:hamletId/huy/:broadcastId': {
    path: (ids, s) => `/lich-phat/${hamlet(s)}/huy/${ids.broadcast[s]}`,
    form: {},
    inScope: allow(['admin', 'officer', 'head'], 303),
    outOfScope: allow(office, 303),
  },
  'GET /giam-sat': { path: () => '/giam-sat', inScope: allow(office) },
  'GET /giam-sat/thien-tai': {
    path: () => '/giam-sat/thien-tai',
    inScope: allow(['admin', 'officer', 'head']),
  },
  'GET /giam-sat/thien-tai/ban-tin': {
    path: () => '/giam-sat/thien-tai/ban-tin',
    inScope: allow(office),
  },
  // A urlencoded post is not an upload: 415 from the upload reader, after the role check.
  'POST /giam-sat/thien-tai/ban-tin': {
    path: () => '/giam-sat/thien-tai/ban-tin',
    form: { event: 'new' },
    inScope: allow(office, 415),
  },
  'GET /giam-sat/thien-tai/ban-tin/xac-nhan': {
    path: () => '/giam-sat/thien-tai/ban-tin/xac-nhan?event=new',
    inScope: allow(office, 400),
  },
  'POST /giam-sat/thien-tai/ban-tin/xac-nhan': {
    path: () => '/giam-sat/thien-tai/ban-tin/xac-nhan',
    form: { event: 'new' },
    inScope: allow(office, 400),
  },
  'POST /giam-sat/thien-tai/cap/:id/phat': {
    path: () => '/giam-sat/thien-tai/cap/no-such-alert/phat',
    form: {},
    inScope: allow(office, 404),
  },
  'POST /giam-sat/thien-tai/cap/:id/bo-qua': {
    path: () => '/giam-sat/thien-tai/cap/no-such-alert/bo-qua',
    form: {},
    inScope: allow(office, 404),
  },
  'POST /giam-sat/duyet/:id': {
    path: (ids) => `/giam-sat/duyet/${ids.announcement.in}`,
    form: {},
    inScope: allow(office, 303),
  },
  'POST /giam-sat/tu-choi/:id': {
    path: (ids) => `/giam-sat/tu-choi/${ids.announcement.in}`,
    form: { reason: '' },
    inScope: allow(office, 400),
  },
  // Allowed roles reach the rule that a placeholder of the example commune, never connected, takes no command.
  'POST /giam-sat/dieu-khien': {
    path: () => '/giam-sat/dieu-khien',
    form: { target: 'r:rx-un-ta-1', kind: 'refresh' },
    inScope: allow(office, 409),
  },
  'GET /giam-sat/khan-cap': { path: () => '/giam-sat/khan-cap', inScope: allow(office) },
  'POST /giam-sat/khan-cap': {
    path: () => '/giam-sat/khan-cap',
    form: { step: 'review' },
    inScope: allow(office, 400),
  },
  'GET /giam-sat/khan-cap/xac-nhan': {
    path: (ids) =>
      `/giam-sat/khan-cap/xac-nhan?announcementId=${ids.announcement.in}&hamletIds=un-ta&start=now`,
    inScope: allow(office),
  },
  'GET /giam-sat/khan-cap/da-gui/:id': {
    path: (ids) => `/giam-sat/khan-cap/da-gui/${ids.broadcast.in}`,
    inScope: allow(office),
  },
  'GET /giam-sat/phat/:id': {
    path: (ids, s) => `/giam-sat/phat/${ids.broadcast[s]}`,
    inScope: allow(['admin', 'officer', 'head']),
    outOfScope: allow(office),
  },
  'GET /giam-sat/luot-phat/:id': {
    path: (ids, s) => `/giam-sat/luot-phat/${ids.occurrence[s]}`,
    inScope: allow(['admin', 'officer', 'head']),
    outOfScope: allow(office),
  },
  'GET /giam-sat/cum-loa/:id': {
    path: (_ids, s) => `/giam-sat/cum-loa/${s === 'in' ? 'rx-un-ta-1' : 'rx-thon-2-1'}?ngay=2026-11-27`,
    inScope: allow(['admin', 'officer', 'head']),
    outOfScope: allow(office),
  },
  'GET /giam-sat/bao-cao': { path: () => '/giam-sat/bao-cao', inScope: allow(['admin', 'officer', 'head']) },
  'GET /giam-sat/bao-cao.csv': {
    path: () => '/giam-sat/bao-cao.csv',
    inScope: allow(['admin', 'officer', 'head']),
  },
  'GET /quan-tri': { path: () => '/quan-tri', inScope: allow(['admin']) },
  'POST /quan-tri': {
    path: () => '/quan-tri',
    form: { quietStart: '25:00' },
    inScope: allow(['admin'], 400),
  },
  'GET /quan-tri/thon': { path: () => '/quan-tri/thon', inScope: allow(['admin']) },
  'POST /quan-tri/thon': { path: () => '/quan-tri/thon', form: { name: '' }, inScope: allow(['admin'], 400) },
  'GET /quan-tri/thon/:id': { path: () => '/quan-tri/thon/un-ta', inScope: allow(['admin']) },
  'POST /quan-tri/thon/:id': {
    path: () => '/quan-tri/thon/un-ta',
    form: { name: '' },
    inScope: allow(['admin'], 400),
  },
  'GET /quan-tri/thon/:id/xoa': { path: () => '/quan-tri/thon/un-ta/xoa', inScope: allow(['admin']) },
  // Without the confirmation box ticked: the admin gets the confirmation again, nothing is deleted.
  'POST /quan-tri/thon/:id/xoa': {
    path: () => '/quan-tri/thon/un-ta/xoa',
    form: {},
    inScope: allow(['admin'], 400),
  },
  'GET /quan-tri/nguoi-dung': { path: () => '/quan-tri/nguoi-dung', inScope: allow(['admin']) },
  'POST /quan-tri/nguoi-dung': {
    path: () => '/quan-tri/nguoi-dung',
    form: { username: '' },
    inScope: allow(['admin'], 400),
  },
  'GET /quan-tri/nguoi-dung/:id': {
    path: (ids) => `/quan-tri/nguoi-dung/${ids.user}`,
    inScope: allow(['admin']),
  },
  'POST /quan-tri/nguoi-dung/:id': {
    path: (ids) => `/quan-tri/nguoi-dung/${ids.user}`,
    form: { displayName: '' },
    inScope: allow(['admin'], 400),
  },
  // Everyone who may see receivers gets the list (their own hamlets'); changing them is for the admin.
  'GET /quan-tri/cum-loa': { path: () => '/quan-tri/cum-loa', inScope: allow(['admin', 'officer', 'head']) },
  'POST /quan-tri/cum-loa': {
    path: () => '/quan-tri/cum-loa',
    form: { name: '' },
    inScope: allow(['admin'], 400),
  },
  'GET /quan-tri/cum-loa/:id': {
    path: (ids) => `/quan-tri/cum-loa/${ids.receiver}`,
    inScope: allow(['admin']),
  },
  'POST /quan-tri/cum-loa/:id': {
    path: (ids) => `/quan-tri/cum-loa/${ids.receiver}`,
    form: { name: '' },
    inScope: allow(['admin'], 400),
  },
  'POST /quan-tri/cum-loa/:id/trang-thai': {
    path: (ids) => `/quan-tri/cum-loa/${ids.receiver}/trang-thai`,
    form: { disabled: 'maybe' },
    inScope: allow(['admin'], 400),
  },
  'POST /quan-tri/cum-loa/:id/doi-ma': {
    path: (ids) => `/quan-tri/cum-loa/${ids.receiver}/doi-ma`,
    form: {},
    inScope: allow(['admin']),
  },
  // The province's pages: for its staff only (test/e2e/province-pages.test.ts signs them in).
  'GET /tinh': { path: () => '/tinh', inScope: allow([]) },
  'POST /tinh/xem-xa': { path: () => '/tinh/xem-xa', form: { xa: 'coc-san' }, inScope: allow([]) },
  'GET /tinh/xa/moi': { path: () => '/tinh/xa/moi', inScope: allow([]) },
  'POST /tinh/xa/moi': { path: () => '/tinh/xa/moi', form: { name: 'Xã thử' }, inScope: allow([]) },
  'POST /tinh/xa/:id/xoa': { path: () => '/tinh/xa/quang-kim/xoa', form: {}, inScope: allow([]) },
  'GET /tinh/bao-cao': { path: () => '/tinh/bao-cao', inScope: allow([]) },
  'GET /tinh/bao-cao.csv': { path: () => '/tinh/bao-cao.csv', inScope: allow([]) },
  'GET /tinh/bao-cao.json': { path: () => '/tinh/bao-cao.json', inScope: allow([]) },
  'GET /tinh/bao-cao/thoi-luong.csv': { path: () => '/tinh/bao-cao/thoi-luong.csv', inScope: allow([]) },
  'GET /tinh/ma-may': { path: () => '/tinh/ma-may', inScope: allow([]) },
  'POST /tinh/ma-may': { path: () => '/tinh/ma-may', form: { name: 'x' }, inScope: allow([]) },
  'POST /tinh/ma-may/:id/thu-hoi': { path: () => '/tinh/ma-may/any/thu-hoi', form: {}, inScope: allow([]) },
  'GET /tinh/webhook': { path: () => '/tinh/webhook', inScope: allow([]) },
  'POST /tinh/webhook': {
    path: () => '/tinh/webhook',
    form: { url: 'https://hooks.example.vn/loa', events: 'emergency.sent' },
    inScope: allow([]),
  },
  'POST /tinh/webhook/:id/tat': { path: () => '/tinh/webhook/any/tat', form: {}, inScope: allow([]) },
  'GET /tinh/webhook/:id': { path: () => '/tinh/webhook/any', inScope: allow([]) },
  'GET /tinh/ban-tin': { path: () => '/tinh/ban-tin', inScope: allow([]) },
  'POST /tinh/ban-tin': { path: () => '/tinh/ban-tin', form: { title: 'x' }, inScope: allow([]) },
  'POST /tinh/ban-tin/:id/gui': { path: () => '/tinh/ban-tin/any/gui', form: {}, inScope: allow([]) },
  'GET /tinh/ban-tin/:id': { path: () => '/tinh/ban-tin/any', inScope: allow([]) },
  // The commune office's inbox; a bulletin not sent to the commune is not there (404).
  'GET /ban-tin': { path: () => '/ban-tin', inScope: allow(office) },
  'POST /ban-tin/:id/xep-lich': {
    path: () => '/ban-tin/any/xep-lich',
    form: { hamletIds: 'all', kind: 'slot', date: '2026-12-01', slot: 'evening' },
    inScope: allow(office, 404),
  },
  'POST /ban-tin/:id/tu-choi': {
    path: () => '/ban-tin/any/tu-choi',
    form: { reason: 'Không phù hợp' },
    inScope: allow(office, 404),
  },
  'POST /ban-tin/:id/thu-tu': {
    path: () => '/ban-tin/any/thu-tu',
    form: { place: 'first' },
    inScope: allow(office, 404),
  },
  // Listening again is public: the same answer signed in or not (test/e2e/listen-again.test.ts).
  'GET /nghe-lai/:code': { path: () => '/nghe-lai/02746', inScope: everyone(200) },
  'GET /nghe-lai/:code/:hamlet': { path: () => '/nghe-lai/02746/un-ta', inScope: everyone(200) },
  'GET /nghe-lai/:code/rss.xml': { path: () => '/nghe-lai/02746/rss.xml', inScope: everyone(200) },
  'GET /nghe-lai/:code/:hamlet/rss.xml': {
    path: () => '/nghe-lai/02746/un-ta/rss.xml',
    inScope: everyone(200),
  },
};

// Sign-in, sign-out, language and static files behave the same for everyone and need no session.
const open = new Set([
  'GET /dang-nhap',
  'POST /dang-nhap',
  'GET /ngon-ngu/:lang',
  'GET /tai-nguyen/:name',
  ffmpegRoute,
  'POST /dang-xuat',
  'GET /',
  'GET /nghe-lai/:code',
  'GET /nghe-lai/:code/:hamlet',
  'GET /nghe-lai/:code/rss.xml',
  'GET /nghe-lai/:code/:hamlet/rss.xml',
]);

describe('page authorization', () => {
  let h: Harness;
  const sessions = {} as Record<FixtureUser, CookieSession>;
  let counter = 0;

  beforeAll(async () => {
    h = await createHarness();
    for (const u of users) sessions[u] = await signInPage(h, u);
  });
  afterAll(() => h.close());

  async function fresh(): Promise<Ids> {
    const n = ++counter;
    const announcement = async (hamletId: string) => {
      const res = await h.request('/api/v1/announcements', {
        method: 'POST',
        token: h.tokens.admin,
        json: { title: `Tin ${n} ${hamletId}`, language: 'vi', text: 'Xin chào bà con.', hamletId },
      });
      return ((await res.json()) as { id: string }).id;
    };
    // Two minutes apart from 08:00 local, 300 a day so that none runs into the quiet hours, and no two clash.
    const broadcast = async (hamletId: string) => {
      const at = new Date(
        Date.parse('2026-12-10T01:00:00Z') + Math.floor(n / 300) * 86_400_000 + (n % 300) * 2 * 60_000,
      ).toISOString();
      const res = await h.request('/api/v1/broadcasts', {
        method: 'POST',
        token: h.tokens.admin,
        json: { relay: { url: 'https://radio.example.vn/vov1', durationS: 60 }, hamletIds: [hamletId], at },
      });
      return ((await res.json()) as { id: string }).id;
    };
    const user = await h.request('/api/v1/users', {
      method: 'POST',
      token: h.tokens.admin,
      json: {
        username: `page${n}`,
        password: 'correct horse battery',
        role: 'secretary',
        hamletIds: ['un-ta'],
        displayName: 'X',
      },
    });
    const broadcasts = { in: await broadcast('un-ta'), out: await broadcast('thon-2') };
    const occurrenceOf = async (broadcastId: string) => {
      const res = await h.request(`/api/v1/broadcasts/${broadcastId}`, { token: h.tokens.admin });
      return ((await res.json()) as { occurrences: { id: string }[] }).occurrences[0]!.id;
    };
    return {
      announcement: { in: await announcement('un-ta'), out: await announcement('thon-2') },
      broadcast: broadcasts,
      occurrence: { in: await occurrenceOf(broadcasts.in), out: await occurrenceOf(broadcasts.out) },
      receiver: 'rx-un-ta-2',
      user: ((await user.json()) as { id: string }).id,
    };
  }

  it('has a row for every page route the app serves', () => {
    const served = new Set(
      h.runtime.app.routes
        .filter((r) => r.method !== 'ALL' && isPagePath(r.path))
        .map((r) => `${r.method} ${r.path}`),
    );
    expect(
      [...served].filter((r) => !(r in rows)),
      'page routes without a row',
    ).toEqual([]);
    expect(
      Object.keys(rows).filter((r) => !served.has(r)),
      'rows for routes that no longer exist',
    ).toEqual([]);
  });

  const cases = Object.entries(rows).flatMap(([route, row]) =>
    (['in', 'out'] as const).flatMap((scope) => {
      const expected = scope === 'in' ? row.inScope : row.outOfScope;
      return expected
        ? (['anonymous', ...users] as Caller[]).map((caller) => [route, scope, caller] as const)
        : [];
    }),
  );

  it.each(cases)('%s (%s scope) as %s', async (route, scope, caller) => {
    const row = rows[route]!;
    const ids = await fresh();
    // Signing out ends the session it is called with, so it gets one of its own.
    const session =
      caller === 'anonymous'
        ? undefined
        : route === 'POST /dang-xuat'
          ? await signInPage(h, caller)
          : sessions[caller];
    const res = await page(h, row.path(ids, scope), session, row.form);
    const expected =
      caller === 'anonymous'
        ? open.has(route)
          ? route === 'GET /dang-nhap' ||
            route === 'GET /tai-nguyen/:name' ||
            route === ffmpegRoute ||
            route.startsWith('GET /nghe-lai/')
            ? 200
            : route === 'POST /dang-nhap'
              ? 401
              : 303
          : 303
        : (scope === 'in' ? row.inScope : row.outOfScope!)[caller];
    const body = await res.text();
    expect(res.status, body.slice(0, 400)).toBe(expected);
    if (caller === 'anonymous' && !open.has(route))
      expect(res.headers.get('location')).toMatch(/^\/dang-nhap\?next=/);
    if (expected === 403) {
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(body).toContain('<h1>Không có quyền truy cập</h1>');
      expect(body).toMatch(/không được phép|ngoài phạm vi phụ trách/);
    }
  });
});
