// Imported as `../support/harness.js` (the same file seen from test/support) so that the edge suite's alias
// (vitest.workers.config.ts) points this table at the edge harness too.
import { fixtureUsers, userPassword, type FixtureUser, type Harness } from '../support/harness.js';

export type Caller = FixtureUser | 'anonymous';
export const callers: readonly Caller[] = ['anonymous', ...(Object.keys(fixtureUsers) as FixtureUser[])];

export interface Call {
  readonly path: string;
  readonly json?: unknown;
}

/**
 * One row per route: the expected status for each caller, on a target inside the hamlet-scoped users'
 * hamlet (Ún Tà) and, where the route has a hamlet, on a target outside it. `setup` makes a fresh target
 * so that writes do not depend on each other.
 */
export interface Row {
  readonly inScope: Readonly<Record<Caller, number>>;
  readonly outOfScope?: Readonly<Record<Caller, number>>;
  /**
   * Only where the tenancy matrix (test/api/tenancy-matrix.test.ts) cannot derive it: the status for
   * each caller when the target is another commune's.
   */
  readonly otherCommune?: Readonly<Record<Caller, number>>;
  readonly setup: (h: Tenant, scope: 'in' | 'out', caller: Caller) => Promise<Call>;
}

const all = (status: number, anonymous = 401) =>
  ({ anonymous, admin: status, officer: status, head: status, secretary: status }) as const;
const only = (allowed: Partial<Record<FixtureUser, number>>) => ({ ...all(403), ...allowed });

/**
 * The commune a row's setup makes its targets in, through that commune's own admin: the harness's commune
 * (Cốc San) for the authorisation matrix, another commune of the province for the tenancy matrix.
 * `hamlets.in` is the hamlet its hamlet-scoped users look after, `hamlets.out` another of its hamlets;
 * `receivers` has one receiver of each.
 */
export interface Tenant {
  readonly request: Harness['request'];
  readonly tokens: Readonly<Record<FixtureUser, string>>;
  readonly userIds: Readonly<Record<FixtureUser, string>>;
  readonly hamlets: Readonly<Record<'in' | 'out', string>>;
  readonly receivers: Readonly<Record<'in' | 'out', string>>;
}

/** Cốc San, the harness's commune: hamlet-scoped fixture users look after Ún Tà. */
export const cocSan = (h: Harness): Tenant => ({
  request: h.request,
  tokens: h.tokens,
  userIds: h.userIds,
  hamlets: { in: 'un-ta', out: 'thon-2' },
  receivers: { in: 'rx-un-ta-1', out: 'rx-thon-2-1' },
});

let counter = 0;
const unique = (prefix: string) => `${prefix}${++counter}`;

async function newHamlet(h: Tenant): Promise<string> {
  const res = await h.request('/api/v1/hamlets', {
    method: 'POST',
    token: h.tokens.admin,
    json: { name: unique('Thôn thử '), languages: ['vi'] },
  });
  return ((await res.json()) as { id: string }).id;
}

async function newUser(h: Tenant): Promise<string> {
  const res = await h.request('/api/v1/users', {
    method: 'POST',
    token: h.tokens.admin,
    json: {
      username: unique('user'),
      password: userPassword,
      role: 'secretary',
      hamletIds: [h.hamlets.in],
      displayName: 'X',
    },
  });
  return ((await res.json()) as { id: string }).id;
}

async function newReceiver(h: Tenant, scope: 'in' | 'out'): Promise<string> {
  const res = await h.request('/api/v1/receivers', {
    method: 'POST',
    token: h.tokens.admin,
    json: { hamletId: h.hamlets[scope], name: unique('Cụm loa ') },
  });
  return (await (res.json() as Promise<{ receiver: { id: string } }>)).receiver.id;
}

let minute = 0;
let seriesMinute = 0;
/** A fresh exact time so that broadcasts made by the matrix never clash with each other. */
const nextSlot = () => new Date(Date.parse('2026-12-10T01:00:00Z') + ++minute * 5 * 60_000).toISOString();

async function newBroadcast(h: Tenant, scope: 'in' | 'out'): Promise<string> {
  const res = await h.request('/api/v1/broadcasts', {
    method: 'POST',
    token: h.tokens.admin,
    json: {
      relay: { url: 'https://radio.example.vn/vov1', durationS: 60 },
      hamletIds: [h.hamlets[scope]],
      at: nextSlot(),
    },
  });
  return ((await res.json()) as { id: string }).id;
}

async function newOccurrence(h: Tenant, scope: 'in' | 'out'): Promise<string> {
  const res = await h.request(`/api/v1/broadcasts/${await newBroadcast(h, scope)}`, {
    token: h.tokens.admin,
  });
  return ((await res.json()) as { occurrences: { id: string }[] }).occurrences[0]!.id;
}

async function newAnnouncement(
  h: Tenant,
  scope: 'in' | 'out',
  author: FixtureUser = 'admin',
): Promise<string> {
  const res = await h.request('/api/v1/announcements', {
    method: 'POST',
    token: h.tokens[author],
    json: {
      title: unique('Thông báo '),
      language: 'vi',
      text: 'Xin chào bà con.',
      hamletId: h.hamlets[scope],
    },
  });
  return ((await res.json()) as { id: string }).id;
}

async function newDisasterEvent(h: Tenant): Promise<string> {
  const res = await h.request('/api/v1/disaster/events', {
    method: 'POST',
    token: h.tokens.officer,
    json: { name: unique('Bão số '), hazardType: 'storm' },
  });
  return ((await res.json()) as { id: string }).id;
}

export const matrix: Readonly<Record<string, Row>> = {
  'GET /healthz': { inScope: all(200, 200), setup: async () => ({ path: '/healthz' }) },
  'GET /openapi.json': { inScope: all(200, 200), setup: async () => ({ path: '/openapi.json' }) },
  'GET /docs': { inScope: all(200, 200), setup: async () => ({ path: '/docs' }) },
  'GET /favicon.ico': { inScope: all(200, 200), setup: async () => ({ path: '/favicon.ico' }) },
  'POST /api/v1/auth/login': {
    inScope: { anonymous: 401, admin: 200, officer: 200, head: 200, secretary: 200 },
    setup: async (_h, _s, caller) => ({
      path: '/api/v1/auth/login',
      json: {
        username: caller === 'anonymous' ? 'nobody' : caller,
        password: caller === 'admin' ? 'admin-password-for-tests' : userPassword,
      },
    }),
  },
  'POST /api/v1/auth/logout': { inScope: all(204), setup: async () => ({ path: '/api/v1/auth/logout' }) },
  'GET /api/v1/auth/me': { inScope: all(200), setup: async () => ({ path: '/api/v1/auth/me' }) },
  // Every person may change their own password; with a wrong current one, nobody's changes.
  'POST /api/v1/auth/password': {
    inScope: all(422),
    setup: async () => ({
      path: '/api/v1/auth/password',
      json: { currentPassword: 'not the password', newPassword: 'a brand new password' },
    }),
  },

  'GET /api/v1/commune': { inScope: all(200), setup: async () => ({ path: '/api/v1/commune' }) },
  'PATCH /api/v1/commune': {
    inScope: only({ admin: 200 }),
    setup: async () => ({ path: '/api/v1/commune', json: { approvalRequired: true } }),
  },

  // Province routes: commune staff have none of them (province staff: test/api/province-communes.test.ts,
  // test/api/province-users.test.ts).
  'GET /api/v1/province': { inScope: all(403), setup: async () => ({ path: '/api/v1/province' }) },
  'GET /api/v1/communes': { inScope: all(403), setup: async () => ({ path: '/api/v1/communes' }) },
  'GET /api/v1/communes/{id}': {
    inScope: all(403),
    setup: async () => ({ path: '/api/v1/communes/coc-san' }),
  },
  'POST /api/v1/communes': {
    inScope: all(403),
    setup: async () => ({
      path: '/api/v1/communes',
      json: { name: 'Xã thử', code: '09999', admin: { username: unique('qtv'), displayName: 'Quản trị' } },
    }),
  },

  'DELETE /api/v1/communes/{id}': {
    inScope: all(403),
    setup: async () => ({ path: '/api/v1/communes/quang-kim' }),
  },

  // The province's roll-ups, machine tokens and webhooks: province staff only (test/api/province-*.test.ts,
  // test/api/webhooks.test.ts).
  'GET /api/v1/province/rollup': {
    inScope: all(403),
    setup: async () => ({ path: '/api/v1/province/rollup' }),
  },
  'GET /api/v1/province/air-time': {
    inScope: all(403),
    setup: async () => ({ path: '/api/v1/province/air-time' }),
  },
  'GET /api/v1/province/tokens': {
    inScope: all(403),
    setup: async () => ({ path: '/api/v1/province/tokens' }),
  },
  'POST /api/v1/province/tokens': {
    inScope: all(403),
    setup: async () => ({ path: '/api/v1/province/tokens', json: { name: 'Hệ thống nguồn' } }),
  },
  'DELETE /api/v1/province/tokens/{id}': {
    inScope: all(403),
    setup: async () => ({ path: '/api/v1/province/tokens/any' }),
  },
  'GET /api/v1/province/webhooks': {
    inScope: all(403),
    setup: async () => ({ path: '/api/v1/province/webhooks' }),
  },
  'POST /api/v1/province/webhooks': {
    inScope: all(403),
    setup: async () => ({
      path: '/api/v1/province/webhooks',
      json: { url: 'https://hooks.example.vn/loa', events: ['emergency.sent'] },
    }),
  },
  'DELETE /api/v1/province/webhooks/{id}': {
    inScope: all(403),
    setup: async () => ({ path: '/api/v1/province/webhooks/any' }),
  },
  'GET /api/v1/province/webhooks/{id}/deliveries': {
    inScope: all(403),
    setup: async () => ({ path: '/api/v1/province/webhooks/any/deliveries' }),
  },
  // Bulletins: the province's side is province staff's only, the inbox the commune office's
  // (test/api/bulletins.test.ts makes real ones; here a commune with no such bulletin answers 404).
  'POST /api/v1/province/bulletins': {
    inScope: all(403),
    setup: async () => ({ path: '/api/v1/province/bulletins' }),
  },
  'GET /api/v1/province/bulletins': {
    inScope: all(403),
    setup: async () => ({ path: '/api/v1/province/bulletins' }),
  },
  'GET /api/v1/province/bulletins/{id}': {
    inScope: all(403),
    setup: async () => ({ path: '/api/v1/province/bulletins/any' }),
  },
  'POST /api/v1/province/bulletins/{id}/send': {
    inScope: all(403),
    setup: async () => ({ path: '/api/v1/province/bulletins/any/send' }),
  },
  'GET /api/v1/province/bulletins/{id}/proof': {
    inScope: all(403),
    setup: async () => ({ path: '/api/v1/province/bulletins/any/proof' }),
  },
  'GET /api/v1/bulletins': {
    inScope: only({ admin: 200, officer: 200 }),
    setup: async () => ({ path: '/api/v1/bulletins' }),
  },
  'GET /api/v1/bulletins/{id}': {
    inScope: only({ admin: 404, officer: 404 }),
    setup: async () => ({ path: '/api/v1/bulletins/any' }),
  },
  'POST /api/v1/bulletins/{id}/schedule': {
    inScope: only({ admin: 404, officer: 404 }),
    setup: async () => ({
      path: '/api/v1/bulletins/any/schedule',
      json: { hamletIds: 'all', at: nextSlot() },
    }),
  },
  'POST /api/v1/bulletins/{id}/order': {
    inScope: only({ admin: 404, officer: 404 }),
    setup: async () => ({ path: '/api/v1/bulletins/any/order', json: { place: 'first' } }),
  },
  'POST /api/v1/bulletins/{id}/decline': {
    inScope: only({ admin: 404, officer: 404 }),
    setup: async () => ({ path: '/api/v1/bulletins/any/decline', json: { reason: 'Không phù hợp' } }),
  },
  // The export opens to machine tokens only: every person's token is refused (test/api/province-export.test.ts).
  'GET /api/v1/province/reports/v1/devices': {
    inScope: all(401),
    setup: async () => ({ path: '/api/v1/province/reports/v1/devices' }),
  },
  'GET /api/v1/province/reports/v1/bulletins': {
    inScope: all(401),
    setup: async () => ({ path: '/api/v1/province/reports/v1/bulletins' }),
  },
  'GET /api/v1/province/reports/v1/playback-days': {
    inScope: all(401),
    setup: async () => ({ path: '/api/v1/province/reports/v1/playback-days' }),
  },

  'GET /api/v1/hamlets': { inScope: all(200), setup: async () => ({ path: '/api/v1/hamlets' }) },
  'POST /api/v1/hamlets': {
    inScope: only({ admin: 201 }),
    setup: async () => ({
      path: '/api/v1/hamlets',
      json: { name: unique('Thôn mới '), languages: ['vi', 'giay'] },
    }),
  },
  'GET /api/v1/hamlets/{id}': {
    inScope: all(200),
    outOfScope: only({ admin: 200, officer: 200 }),
    setup: async (h, scope) => ({ path: `/api/v1/hamlets/${h.hamlets[scope]}` }),
  },
  'PATCH /api/v1/hamlets/{id}': {
    inScope: only({ admin: 200 }),
    outOfScope: only({ admin: 200 }),
    setup: async (h, scope) => ({ path: `/api/v1/hamlets/${h.hamlets[scope]}`, json: { lat: 22.5 } }),
  },
  'DELETE /api/v1/hamlets/{id}': {
    inScope: only({ admin: 204 }),
    setup: async (h) => ({ path: `/api/v1/hamlets/${await newHamlet(h)}` }),
  },

  'GET /api/v1/users': { inScope: only({ admin: 200 }), setup: async () => ({ path: '/api/v1/users' }) },
  'POST /api/v1/users': {
    inScope: only({ admin: 201 }),
    // A hamlet named in a body that is another commune's is refused as an unknown one (422), like a typo.
    otherCommune: only({ admin: 422 }),
    setup: async (h) => ({
      path: '/api/v1/users',
      json: {
        username: unique('new'),
        password: userPassword,
        role: 'hamlet_head',
        hamletIds: [h.hamlets.in],
        displayName: 'Mới',
      },
    }),
  },
  'GET /api/v1/users/{id}': {
    inScope: only({ admin: 200 }),
    setup: async (h) => ({ path: `/api/v1/users/${h.userIds.secretary}` }),
  },
  'PATCH /api/v1/users/{id}': {
    inScope: only({ admin: 200 }),
    setup: async (h) => ({ path: `/api/v1/users/${await newUser(h)}`, json: { displayName: 'Đổi tên' } }),
  },
  'DELETE /api/v1/users/{id}': {
    inScope: only({ admin: 204 }),
    setup: async (h) => ({ path: `/api/v1/users/${await newUser(h)}` }),
  },

  'GET /api/v1/receivers': {
    inScope: only({ admin: 200, officer: 200, head: 200 }),
    setup: async () => ({ path: '/api/v1/receivers' }),
  },
  'POST /api/v1/receivers': {
    inScope: only({ admin: 201 }),
    outOfScope: only({ admin: 201 }),
    otherCommune: only({ admin: 422 }),
    setup: async (h, scope) => ({
      path: '/api/v1/receivers',
      json: { hamletId: h.hamlets[scope], name: unique('Loa ') },
    }),
  },
  'GET /api/v1/receivers/{id}': {
    inScope: only({ admin: 200, officer: 200, head: 200 }),
    outOfScope: only({ admin: 200, officer: 200 }),
    setup: async (h, scope) => ({ path: `/api/v1/receivers/${h.receivers[scope]}` }),
  },
  'PATCH /api/v1/receivers/{id}': {
    inScope: only({ admin: 200 }),
    outOfScope: only({ admin: 200 }),
    setup: async (h, scope) => ({
      path: `/api/v1/receivers/${await newReceiver(h, scope)}`,
      json: { name: 'Đổi tên' },
    }),
  },
  'DELETE /api/v1/receivers/{id}': {
    inScope: only({ admin: 204 }),
    outOfScope: only({ admin: 204 }),
    setup: async (h, scope) => ({ path: `/api/v1/receivers/${await newReceiver(h, scope)}` }),
  },
  'POST /api/v1/receivers/{id}/rotate-token': {
    inScope: only({ admin: 200 }),
    outOfScope: only({ admin: 200 }),
    setup: async (h, scope) => ({ path: `/api/v1/receivers/${await newReceiver(h, scope)}/rotate-token` }),
  },
  'POST /api/v1/receivers/{id}/commands': {
    inScope: only({ admin: 202, officer: 202 }),
    outOfScope: only({ admin: 202, officer: 202 }),
    setup: async (h, scope) => ({
      path: `/api/v1/receivers/${await newReceiver(h, scope)}/commands`,
      json: { kind: 'volume', volume: 60 },
    }),
  },
  'GET /api/v1/receivers/{id}/commands': {
    inScope: only({ admin: 200, officer: 200, head: 200 }),
    outOfScope: only({ admin: 200, officer: 200 }),
    setup: async (h, scope) => ({ path: `/api/v1/receivers/${h.receivers[scope]}/commands` }),
  },
  'POST /api/v1/hamlets/{id}/commands': {
    inScope: only({ admin: 202, officer: 202 }),
    outOfScope: only({ admin: 202, officer: 202 }),
    setup: async (h, scope) => {
      await newReceiver(h, scope);
      return { path: `/api/v1/hamlets/${h.hamlets[scope]}/commands`, json: { kind: 'refresh' } };
    },
  },
  // Device-token routes: no user token works there (a device token gets 200: test/api/receiver-protocol.test.ts).
  'GET /api/v1/receiver/schedule': {
    inScope: all(401),
    setup: async () => ({ path: '/api/v1/receiver/schedule' }),
  },
  'POST /api/v1/receiver/heartbeat': {
    inScope: all(401),
    setup: async () => ({ path: '/api/v1/receiver/heartbeat' }),
  },
  'POST /api/v1/receiver/logs': { inScope: all(401), setup: async () => ({ path: '/api/v1/receiver/logs' }) },
  'POST /api/v1/receiver/commands/{id}/ack': {
    inScope: all(401),
    setup: async () => ({ path: '/api/v1/receiver/commands/x/ack', json: { ok: true } }),
  },
  'GET /api/v1/receiver/events': {
    inScope: all(401),
    setup: async () => ({ path: '/api/v1/receiver/events' }),
  },
  'GET /api/v1/playback': {
    inScope: only({ admin: 200, officer: 200, head: 200 }),
    outOfScope: only({ admin: 200, officer: 200 }),
    setup: async (h, scope) => ({ path: `/api/v1/playback?hamletId=${h.hamlets[scope]}` }),
  },
  'GET /api/v1/reports/coverage': {
    inScope: only({ admin: 200, officer: 200, head: 200 }),
    setup: async () => ({ path: '/api/v1/reports/coverage' }),
  },
  'GET /api/v1/playback/{id}': {
    inScope: only({ admin: 200, officer: 200, head: 200 }),
    outOfScope: only({ admin: 200, officer: 200 }),
    setup: async (h, scope) => ({ path: `/api/v1/playback/${await newOccurrence(h, scope)}` }),
  },
  'GET /api/v1/broadcasts/{id}/playback': {
    inScope: only({ admin: 200, officer: 200, head: 200 }),
    outOfScope: only({ admin: 200, officer: 200 }),
    setup: async (h, scope) => ({ path: `/api/v1/broadcasts/${await newBroadcast(h, scope)}/playback` }),
  },
  'GET /api/v1/broadcasts/{id}/reach': {
    inScope: only({ admin: 200, officer: 200, head: 200 }),
    outOfScope: only({ admin: 200, officer: 200 }),
    setup: async (h, scope) => ({ path: `/api/v1/broadcasts/${await newBroadcast(h, scope)}/reach` }),
  },
  'GET /api/v1/receivers/{id}/timeline': {
    inScope: only({ admin: 200, officer: 200, head: 200 }),
    outOfScope: only({ admin: 200, officer: 200 }),
    setup: async (h, scope) => ({ path: `/api/v1/receivers/${h.receivers[scope]}/timeline?date=2026-11-27` }),
  },
  'GET /api/v1/broadcasts': {
    inScope: only({ admin: 200, officer: 200, head: 200 }),
    setup: async () => ({ path: '/api/v1/broadcasts' }),
  },
  'POST /api/v1/broadcasts': {
    inScope: only({ admin: 201, officer: 201, head: 201 }),
    outOfScope: only({ admin: 201, officer: 201 }),
    otherCommune: only({ admin: 422, officer: 422, head: 422 }),
    setup: async (h, scope) => ({
      path: '/api/v1/broadcasts',
      json: {
        relay: { url: 'https://radio.example.vn/vov1', durationS: 60 },
        hamletIds: [h.hamlets[scope]],
        at: nextSlot(),
      },
    }),
  },
  'GET /api/v1/broadcasts/{id}': {
    inScope: only({ admin: 200, officer: 200, head: 200 }),
    outOfScope: only({ admin: 200, officer: 200 }),
    setup: async (h, scope) => ({ path: `/api/v1/broadcasts/${await newBroadcast(h, scope)}` }),
  },
  'DELETE /api/v1/broadcasts/{id}': {
    inScope: only({ admin: 200, officer: 200, head: 200 }),
    outOfScope: only({ admin: 200, officer: 200 }),
    setup: async (h, scope) => ({ path: `/api/v1/broadcasts/${await newBroadcast(h, scope)}` }),
  },
  'DELETE /api/v1/broadcasts/{id}/occurrences/{occurrenceId}': {
    inScope: only({ admin: 200, officer: 200, head: 200 }),
    outOfScope: only({ admin: 200, officer: 200 }),
    setup: async (h, scope) => {
      const id = await newBroadcast(h, scope);
      const res = await h.request(`/api/v1/broadcasts/${id}`, { token: h.tokens.admin });
      const { occurrences } = (await res.json()) as { occurrences: { id: string }[] };
      return { path: `/api/v1/broadcasts/${id}/occurrences/${occurrences[0]!.id}` };
    },
  },
  'POST /api/v1/broadcasts/{id}/skips': {
    inScope: only({ admin: 200, officer: 200, head: 200 }),
    outOfScope: only({ admin: 200, officer: 200 }),
    setup: async (h, scope) => {
      // A daily series at a minute of its own; its airing a month ahead is not materialised yet.
      const minute = ++seriesMinute;
      const res = await h.request('/api/v1/broadcasts', {
        method: 'POST',
        token: h.tokens.admin,
        json: {
          relay: { url: 'https://radio.example.vn/vov1', durationS: 30 },
          hamletIds: [h.hamlets[scope]],
          recurrence: { cron: `${minute} 14 * * *`, from: '2026-11-28T00:00:00+07:00' },
        },
      });
      const { id } = (await res.json()) as { id: string };
      const at = `2026-12-28T14:${String(minute).padStart(2, '0')}:00+07:00`;
      return { path: `/api/v1/broadcasts/${id}/skips`, json: { at } };
    },
  },

  'GET /api/v1/announcements': { inScope: all(200), setup: async () => ({ path: '/api/v1/announcements' }) },
  'POST /api/v1/announcements': {
    inScope: all(202),
    setup: async () => ({
      path: '/api/v1/announcements',
      json: { title: unique('Tin '), language: 'vi', text: 'Xin chào.' },
    }),
  },
  'GET /api/v1/announcements/{id}': {
    inScope: all(200),
    outOfScope: only({ admin: 200, officer: 200 }),
    setup: async (h, scope) => ({ path: `/api/v1/announcements/${await newAnnouncement(h, scope)}` }),
  },
  'POST /api/v1/announcements/{id}/variants': {
    inScope: all(202),
    outOfScope: only({ admin: 202, officer: 202 }),
    setup: async (h, scope) => ({
      path: `/api/v1/announcements/${await newAnnouncement(h, scope)}/variants`,
      json: { language: 'giay', text: 'Xin chào.' },
    }),
  },
  'POST /api/v1/announcements/{id}/variants/{language}/original': {
    // Allowed roles reach the rule "a typed text has no original to keep", before any file is read.
    inScope: all(409),
    outOfScope: only({ admin: 409, officer: 409 }),
    setup: async (h, scope) => ({
      path: `/api/v1/announcements/${await newAnnouncement(h, scope)}/variants/vi/original`,
    }),
  },
  'POST /api/v1/announcements/{id}/approve': {
    inScope: only({ admin: 200, officer: 200 }),
    setup: async (h) => ({ path: `/api/v1/announcements/${await newAnnouncement(h, 'in')}/approve` }),
  },
  'POST /api/v1/announcements/{id}/reject': {
    inScope: only({ admin: 200, officer: 200 }),
    setup: async (h) => ({
      path: `/api/v1/announcements/${await newAnnouncement(h, 'in')}/reject`,
      json: { reason: 'Chưa rõ' },
    }),
  },
  'POST /api/v1/announcements/{id}/withdraw': {
    // In scope each caller withdraws its own; out of scope, the admin's: only the office may.
    inScope: all(200),
    outOfScope: only({ admin: 200, officer: 200 }),
    setup: async (h, scope, caller) => {
      const author = scope === 'in' && caller !== 'anonymous' ? caller : 'admin';
      return { path: `/api/v1/announcements/${await newAnnouncement(h, scope, author)}/withdraw` };
    },
  },
  'GET /api/v1/announcements/{id}/airings': {
    inScope: all(200),
    outOfScope: only({ admin: 200, officer: 200 }),
    setup: async (h, scope) => ({ path: `/api/v1/announcements/${await newAnnouncement(h, scope)}/airings` }),
  },
  'POST /api/v1/announcements/{id}/retry': {
    // Allowed roles reach the rule "nothing failed, nothing to retry".
    inScope: all(422),
    outOfScope: only({ admin: 422, officer: 422 }),
    setup: async (h, scope) => ({ path: `/api/v1/announcements/${await newAnnouncement(h, scope)}/retry` }),
  },
  'POST /api/v1/disaster/events': {
    inScope: only({ admin: 201, officer: 201 }),
    setup: async () => ({
      path: '/api/v1/disaster/events',
      json: { name: unique('Lũ '), hazardType: 'flood' },
    }),
  },
  'GET /api/v1/disaster/events': {
    inScope: only({ admin: 200, officer: 200, head: 200 }),
    setup: async () => ({ path: '/api/v1/disaster/events?status=active' }),
  },
  'GET /api/v1/disaster/events/{id}': {
    inScope: only({ admin: 200, officer: 200, head: 200 }),
    setup: async (h) => ({ path: `/api/v1/disaster/events/${await newDisasterEvent(h)}` }),
  },
  'POST /api/v1/disaster/events/{id}/bulletins': {
    // Allowed roles reach the rule "the content must be a disaster bulletin" (no speech is needed for it).
    inScope: only({ admin: 422, officer: 422 }),
    setup: async (h, scope) => ({
      path: `/api/v1/disaster/events/${await newDisasterEvent(h)}/bulletins`,
      json: {
        announcementId: await newAnnouncement(h, scope),
        riskLevel: 3,
        agency: 'Đài KTTV tỉnh',
        issuedAt: '2026-11-27T07:30:00+07:00',
      },
    }),
  },
  'POST /api/v1/disaster/bulletins/{id}/end': {
    inScope: only({ admin: 404, officer: 404 }),
    setup: async () => ({ path: '/api/v1/disaster/bulletins/no-such-bulletin/end' }),
  },
  'POST /api/v1/disaster/events/{id}/end': {
    inScope: only({ admin: 200, officer: 200 }),
    setup: async (h) => ({ path: `/api/v1/disaster/events/${await newDisasterEvent(h)}/end` }),
  },
  'POST /api/v1/alerts/cap': {
    // A person's session never opens the door for alerts: only a machine token of the alerts:write scope.
    inScope: all(401),
    setup: async () => ({ path: '/api/v1/alerts/cap', json: { identifier: 'x' } }),
  },
  'GET /api/v1/alerts/cap': {
    inScope: only({ admin: 200, officer: 200, head: 200 }),
    setup: async () => ({ path: '/api/v1/alerts/cap?state=review' }),
  },
  'POST /api/v1/alerts/cap/{id}/air': {
    inScope: only({ admin: 404, officer: 404 }),
    setup: async () => ({ path: '/api/v1/alerts/cap/no-such-item/air' }),
  },
  'POST /api/v1/alerts/cap/{id}/dismiss': {
    inScope: only({ admin: 404, officer: 404 }),
    setup: async () => ({ path: '/api/v1/alerts/cap/no-such-item/dismiss' }),
  },
  'GET /media/{file}': {
    inScope: all(404, 404),
    setup: async () => ({ path: `/media/${'a'.repeat(64)}.mp3` }),
  },
  // Routes for operators that only the Node profile serves (the edge has no process to scrape or drain).
  ...(navigator.userAgent !== 'Cloudflare-Workers' && {
    'GET /readyz': { inScope: all(200, 200), setup: async () => ({ path: '/readyz' }) },
    // No user's token opens the metrics: without METRICS_TOKEN only a loopback connection reads them.
    'GET /metrics': { inScope: all(403, 403), setup: async () => ({ path: '/metrics' }) },
  }),
};
