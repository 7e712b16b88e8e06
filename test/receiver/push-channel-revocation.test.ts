import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { eventually } from '../support/agent-harness.js';
import { createHarness, type Harness } from '../support/harness.js';
import { startRealServer, type RealServer } from '../support/real-server.js';
import { createDevice } from '../support/receiver-fixtures.js';
import { sseClient } from '../support/sse-client.js';

describe('a receiver revoked while its push channel opens', () => {
  let h: Harness;
  let server: RealServer;
  beforeAll(async () => {
    h = await createHarness();
    server = await startRealServer(h);
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => {
    await server?.stop();
    await h?.close();
  });

  const open = (token: string) =>
    fetch(`${server.url}/api/v1/receiver/events`, { headers: { authorization: `Bearer ${token}` } });
  const hub = () => h.runtime.services.receiverHub;

  const revocations = {
    'switched off': (id: string) =>
      h.request(`/api/v1/receivers/${id}`, {
        method: 'PATCH',
        token: h.tokens.admin,
        json: { disabled: true },
      }),
    'given a new token': (id: string) =>
      h.request(`/api/v1/receivers/${id}/rotate-token`, { method: 'POST', token: h.tokens.admin }),
    'moved to another hamlet': (id: string) =>
      h.request(`/api/v1/receivers/${id}`, {
        method: 'PATCH',
        token: h.tokens.admin,
        json: { hamletId: 'thon-2' },
      }),
  };

  it.each(Object.keys(revocations) as (keyof typeof revocations)[])(
    'loses no channel to a box %s after its token was read and before its channel was held',
    async (revocation) => {
      const neighbour = await createDevice(h, 'un-ta');
      const box = await createDevice(h, 'un-ta');
      const kept = sseClient(await open(neighbour.token));
      await kept.next('schedule');

      // The token check has read the receiver as it was; the change commits, and its event is published,
      // before the channel is registered with the hub.
      const sync = h.runtime.services.receiverSync;
      const authenticate = sync.authenticate;
      vi.spyOn(sync, 'authenticate').mockImplementationOnce(async (token) => {
        const session = await authenticate(token);
        expect((await revocations[revocation](box.id)).status).toBe(200);
        return session;
      });
      const res = await open(box.token);
      expect(res.status).toBe(200);
      const late = sseClient(res);
      const ended = await Promise.race([
        late.ended(),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), 5000)),
      ]);
      expect(ended, 'the server closed the channel').toBe(true);
      await eventually(() => hub().stats().connections === 1, 'only the neighbour’s channel open');

      // The check that closed it leaves a channel whose token holds alone.
      h.runtime.bus.publish({ type: 'stop', hamletIds: ['un-ta'], occurrenceId: 'occ-race' });
      expect(JSON.parse((await kept.next('stop')).data)).toEqual({ occurrenceId: 'occ-race' });
      await kept.cancel();
      await eventually(() => hub().stats().connections === 0, 'every channel closed');
    },
  );
});
