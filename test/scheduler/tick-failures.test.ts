import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { soleLeader } from '../../src/db/leader-lock.node.js';
import type { Logger } from '../../src/domain/ports/logger.js';
import { createDispatcher } from '../../src/scheduler/dispatcher.js';
import { createHarness, type Harness } from '../support/harness.js';

const silent: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
  child: () => silent,
};

/**
 * A tick whose series extension fails (the database busy) still marks the airings nobody reported as
 * missed, times commands out and looks at the boxes' alarms: one step's failure must not hold the others
 * back until a later tick. The tick still fails, so that whoever runs it logs and reports it.
 */
describe('a dispatcher tick whose first step fails', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('runs the steps after it, then fails with the step’s error', async () => {
    const booked = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.head,
      json: {
        relay: { url: 'https://radio.example.vn/vov1', durationS: 60 },
        hamletIds: ['un-ta'],
        at: '2026-11-27T09:00:00+07:00',
      },
    });
    expect(booked.status, await booked.clone().text()).toBe(201);
    const { id, occurrences } = (await booked.json()) as { id: string; occurrences: { id: string }[] };
    // An hour after the airing, with nobody having reported it.
    h.clock.set('2026-11-27T03:00:00Z');
    const ran: string[] = [];
    const { services } = h.runtime;
    const dispatcher = createDispatcher({
      services: {
        ...services,
        broadcasts: {
          ...services.broadcasts,
          extendSeries: async () => {
            throw new Error('database is locked');
          },
        },
        receiverCommands: {
          ...services.receiverCommands,
          timeOut: async () => {
            ran.push('commands timed out');
            return services.receiverCommands.timeOut();
          },
        },
      },
      clock: h.clock,
      logger: silent,
      lock: soleLeader,
    });
    await expect(dispatcher.tick()).rejects.toThrow('database is locked');
    const [airing] = await h.runtime.repos.broadcasts.listOccurrencesOf([id]);
    expect(airing).toMatchObject({ id: occurrences[0]!.id, status: 'missed' });
    expect(ran).toEqual(['commands timed out']);
  });
});
