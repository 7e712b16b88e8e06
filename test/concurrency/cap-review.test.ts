import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capXml, geocodeCocSan } from '../support/cap-fixtures.js';
import type { Repositories } from '../../src/domain/ports/repositories.js';
import { dialects } from '../support/databases.js';
import { createHarness, provinceAdminPassword, type Harness } from '../support/harness.js';

interface Item {
  id: string;
  state: string;
  announcementId: string;
  eventId: string;
  headline: string;
}

type Method = (...args: unknown[]) => Promise<unknown>;
type Decorator = (repositories: Repositories) => Repositories;

/** `repo.method` replaced by `wrap(original)`, the rest as it is (as `test/support/crash.ts` does). */
function wrapMethod<K extends keyof Repositories>(
  repo: K,
  method: keyof Repositories[K] & string,
  wrap: (original: Method) => Method,
): Decorator {
  return (repositories) => {
    const inner = repositories[repo] as unknown as Record<string, Method>;
    return { ...repositories, [repo]: { ...inner, [method]: wrap(inner[method]!) } };
  };
}

/**
 * Once armed, holds the first unit of work whose `repo.method` call matches, after the call, until
 * `release()`, or `fallbackMs`: SQLite runs one unit of work at a time, so there the other cannot get
 * anywhere while this one is held.
 */
function holdAfter<K extends keyof Repositories>(
  repo: K,
  method: keyof Repositories[K] & string,
  matches: (args: unknown[]) => boolean,
  fallbackMs: number,
): {
  readonly decorate: Decorator;
  arm(): { readonly reached: Promise<void>; release(): void };
} {
  let armed: { reached(): void; released: Promise<void> } | undefined;
  return {
    decorate: wrapMethod(repo, method, (original) => async (...args) => {
      const result = await original(...args);
      const hold = armed;
      if (hold && matches(args)) {
        armed = undefined;
        hold.reached();
        await Promise.race([hold.released, new Promise((resolve) => setTimeout(resolve, fallbackMs))]);
      }
      return result;
    }),
    arm() {
      let reached!: () => void;
      let release!: () => void;
      const gotThere = new Promise<void>((resolve) => (reached = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      armed = { reached, released };
      return { reached: gotThere, release };
    },
  };
}

/** Resolves, once armed, when a unit of work calls `repo.method` with matching arguments (before the call). */
function seeCall<K extends keyof Repositories>(
  repo: K,
  method: keyof Repositories[K] & string,
  matches: (args: unknown[]) => boolean,
): { readonly decorate: Decorator; arm(): Promise<void> } {
  let seen: (() => void) | undefined;
  return {
    decorate: wrapMethod(repo, method, (original) => (...args) => {
      if (seen && matches(args)) seen();
      return original(...args);
    }),
    arm: () => new Promise<void>((resolve) => (seen = resolve)),
  };
}

const changesTo = (state: string) => (args: unknown[]) => (args[1] as { state?: string }).state === state;

/**
 * "Phát" pressed on a queued CAP alert while "Bỏ qua" or the sender's Cancel takes it off: whichever comes
 * last, the item's state says what the boxes do — never `dismissed` or `cancelled` while its bulletin airs.
 */
describe.each(dialects)('a queued CAP alert aired while it is taken off, on %s', (dialect) => {
  let h: Harness;
  let alertsToken: string;
  const fallbackMs = dialect === 'sqlite' ? 50 : 10_000;
  // "Phát" held once it has claimed the item, not yet committed.
  const airing = holdAfter('capAlerts', 'updateItem', changesTo('aired'), fallbackMs);
  // The Cancel held once it has read the item and written itself, not yet committed.
  const cancelling = holdAfter('capAlerts', 'insertAlert', () => true, fallbackMs);
  const dismissing = seeCall('capAlerts', 'updateItem', changesTo('dismissed'));
  const claiming = seeCall('capAlerts', 'updateItem', changesTo('aired'));

  beforeAll(async () => {
    h = await createHarness(
      dialect,
      {},
      {
        decorateRepositories: (r) =>
          [airing, cancelling, dismissing, claiming].reduce((d, x) => x.decorate(d), r),
      },
    );
    const login = await h.request('/api/v1/auth/login', {
      method: 'POST',
      json: { username: 'tinh', password: provinceAdminPassword },
    });
    const province = ((await login.json()) as { token: string }).token;
    const res = await h.request('/api/v1/province/tokens', {
      method: 'POST',
      token: province,
      json: { name: 'Hệ thống cảnh báo', scopes: ['alerts:write'] },
    });
    alertsToken = ((await res.json()) as { secret: string }).secret;
  });
  afterAll(() => h.close());

  const push = (xml: string) =>
    h.request('/api/v1/alerts/cap', {
      method: 'POST',
      token: alertsToken,
      headers: { 'content-type': 'application/cap+xml' },
      body: xml,
    });
  const itemById = async (id: string) =>
    (
      (await (await h.request('/api/v1/alerts/cap', { token: h.tokens.officer })).json()) as {
        items: Item[];
      }
    ).items.find((i) => i.id === id)!;
  const queued = async (identifier: string, headline: string) => {
    const res = await push(
      capXml({
        identifier,
        severity: 'Moderate',
        urgency: 'Future',
        certainty: 'Possible',
        event: 'Rét hại',
        headline,
        area: geocodeCocSan,
      }),
    );
    expect(res.status).toBe(202);
    const item = (
      (await (await h.request('/api/v1/alerts/cap', { token: h.tokens.officer })).json()) as {
        items: Item[];
      }
    ).items.find((i) => i.headline === headline)!;
    const approved = await h.request(`/api/v1/announcements/${item.announcementId}/approve`, {
      method: 'POST',
      token: h.tokens.officer,
    });
    expect(approved.status).toBe(200);
    return item;
  };
  const air = (id: string) =>
    h.request(`/api/v1/alerts/cap/${id}/air`, { method: 'POST', token: h.tokens.officer });
  /** The bulletins of the event still on the air. */
  const liveBulletins = (eventId: string) =>
    h.runtime.db.kysely
      .selectFrom('disaster_bulletins')
      .select('id')
      .where('event_id', '=', eventId)
      .where('ended_at', 'is', null)
      .execute();

  it('"Bỏ qua" pressed while "Phát" goes through: the item stays aired, and the officer is told', async () => {
    const item = await queued('RACE-1', 'Rét đậm, rét hại vùng cao');
    const held = airing.arm();
    const dismissCalled = dismissing.arm();
    const aired = air(item.id);
    // "Phát" has claimed the item, not yet committed, when "Bỏ qua" reads it (still in review) and goes
    // to change it; then "Phát" commits.
    await held.reached;
    const dismissRequest = h.request(`/api/v1/alerts/cap/${item.id}/dismiss`, {
      method: 'POST',
      token: h.tokens.officer,
    });
    await Promise.race([dismissCalled, dismissRequest]);
    held.release();
    const dismissed = await dismissRequest;
    expect((await aired).status).toBe(200);
    expect(dismissed.status).toBe(409);
    expect(((await dismissed.json()) as { detailVi: string }).detailVi).toMatch(/đã được phát/);
    expect((await itemById(item.id)).state).toBe('aired');
    expect(await liveBulletins(item.eventId)).toHaveLength(1);
  });

  it('the sender\'s Cancel arriving while "Phát" goes through: the item is cancelled and off the air', async () => {
    const item = await queued('RACE-2', 'Rét đậm kéo dài');
    const held = cancelling.arm();
    const claimed = claiming.arm();
    // The Cancel has read the item (in review) and waits in its unit of work while "Phát" claims it; "Phát"
    // commits while the Cancel takes the item off.
    const cancel = push(
      capXml({
        identifier: 'RACE-2-CANCEL',
        msgType: 'Cancel',
        references: 'kttv-laocai@nchmf.gov.vn,RACE-2,2026-11-27T07:45:00+07:00',
        sent: '2026-11-27T07:50:00+07:00',
        area: geocodeCocSan,
      }),
    );
    await held.reached;
    const airRequest = air(item.id);
    await Promise.race([claimed, airRequest]);
    held.release();
    const aired = await airRequest;
    expect((await cancel).status).toBe(202);
    const state = (await itemById(item.id)).state;
    expect(state).toBe('cancelled');
    expect(await liveBulletins(item.eventId)).toHaveLength(0);
    // Aired and then stopped by the Cancel, or refused because the Cancel came first: never both on.
    expect([200, 409, 422]).toContain(aired.status);
  });
});
