import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meetAfter } from '../support/crash.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';

/** Two admins saving different settings at the same moment: each keeps what they changed. */
describe.each(dialects)('commune settings saved by two admins at once, on %s', (dialect) => {
  let h: Harness;
  // Each save has read the stored settings and goes on only once the other had its chance to read them.
  const race = meetAfter('communes', 'findCommune');
  beforeAll(async () => {
    h = await createHarness(dialect, {}, { decorateRepositories: race.decorate });
  });
  afterAll(() => h.close());

  const patch = (json: unknown) =>
    h.request('/api/v1/commune', { method: 'PATCH', token: h.tokens.admin, json });

  it('loses neither change', async () => {
    race.arm(2);
    const [approval, emergency] = await Promise.all([
      patch({ approvalRequired: false }),
      patch({ emergency: { repeatCount: 5 } }),
    ]);
    expect([approval.status, emergency.status]).toEqual([200, 200]);
    const { settings } = (await (await h.request('/api/v1/commune', { token: h.tokens.admin })).json()) as {
      settings: { approvalRequired: boolean; emergency: { repeatCount: number } };
    };
    expect({
      approvalRequired: settings.approvalRequired,
      repeatCount: settings.emergency.repeatCount,
    }).toEqual({ approvalRequired: false, repeatCount: 5 });
  });
});
