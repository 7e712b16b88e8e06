import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/receiver/sqlite-store.node.js';
import { createMemoryStore } from '../../src/receiver/store.js';

const event = (id: string) => ({
  id,
  occurrenceId: 'o',
  type: 'started' as const,
  at: '2026-11-27T02:00:00.000Z',
  detail: null,
});

describe.each([
  ['SQLite file', () => createSqliteStore(join(mkdtempSync(join(tmpdir(), 'loa-store-')), 'agent.sqlite'))],
  ['memory', createMemoryStore],
])('agent store (%s)', (_name, open) => {
  it('queues events in order, once per id, and removes delivered ones', () => {
    const store = open();
    ['e1', 'e2', 'e3', 'e2'].forEach((id) => store.enqueue(event(id)));
    expect(store.pending()).toBe(3);
    expect(store.peek(2).map((e) => e.id)).toEqual(['e1', 'e2']);
    store.remove(['e1', 'e2']);
    expect(store.peek(10)).toEqual([event('e3')]);
  });

  it('remembers handled items and values, and forgets old items', () => {
    const store = open();
    store.markDone('o1#0', '2026-11-20T00:00:00.000Z');
    store.markDone('o2#0', '2026-11-27T00:00:00.000Z');
    store.setValue('clockOffsetMs', '420000');
    store.setValue('clockOffsetMs', '-5');
    expect([store.isDone('o1#0'), store.isDone('o3#0')]).toEqual([true, false]);
    store.pruneDone('2026-11-24T00:00:00.000Z');
    expect([store.isDone('o1#0'), store.isDone('o2#0')]).toEqual([false, true]);
    expect(store.getValue('clockOffsetMs')).toBe('-5');
  });
});

describe('SQLite agent store', () => {
  it('keeps the queue and handled items across a restart', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'loa-store-')), 'agent.sqlite');
    const first = createSqliteStore(file);
    first.enqueue(event('kept'));
    first.markDone('o#0', '2026-11-27T00:00:00.000Z');
    first.close();
    const again = createSqliteStore(file);
    expect(again.peek(10).map((e) => e.id)).toEqual(['kept']);
    expect(again.isDone('o#0')).toBe(true);
    again.close();
  });
});
