import { describe, expect, it } from 'vitest';
import { batchedLookup } from '../../src/db/batched-lookup.js';

/** A lookup over a fixed table that records each load and runs deferred flushes only when told to. */
function harness(maxBatch?: number, failOn?: string) {
  const table = new Map([
    ['a', 1],
    ['b', 2],
    ['c', 3],
  ]);
  const loads: string[][] = [];
  const deferred: (() => void)[] = [];
  const lookup = batchedLookup(
    async (keys: readonly string[]) => {
      loads.push([...keys]);
      if (failOn && keys.includes(failOn)) throw new Error(`cannot load ${failOn}`);
      return new Map(keys.flatMap((k) => (table.has(k) ? [[k, table.get(k)!] as const] : [])));
    },
    { ...(maxBatch && { maxBatch }), defer: (run) => void deferred.push(run) },
  );
  const endOfIo = () => deferred.splice(0).forEach((run) => run());
  return { lookup, loads, endOfIo };
}

describe('batchedLookup', () => {
  it('answers every key asked in one round of I/O from one load', async () => {
    const { lookup, loads, endOfIo } = harness();
    const answers = Promise.all([lookup('a'), lookup('zz'), lookup('c')]);
    expect(loads).toEqual([]);
    endOfIo();
    expect(await answers).toEqual([1, undefined, 3]);
    expect(loads).toEqual([['a', 'zz', 'c']]);
  });

  it('loads a key asked twice once and answers both callers', async () => {
    const { lookup, loads, endOfIo } = harness();
    const answers = Promise.all([lookup('b'), lookup('b')]);
    endOfIo();
    expect(await answers).toEqual([2, 2]);
    expect(loads).toEqual([['b']]);
  });

  it('sends a full batch at once and the rest at the end of the round', async () => {
    const { lookup, loads, endOfIo } = harness(2);
    const first = Promise.all([lookup('a'), lookup('b')]);
    expect(loads).toEqual([['a', 'b']]);
    expect(await first).toEqual([1, 2]);
    const rest = lookup('c');
    expect(loads).toHaveLength(1);
    endOfIo();
    expect(await rest).toBe(3);
    expect(loads).toEqual([['a', 'b'], ['c']]);
  });

  it('starts a new batch for keys asked after a flush', async () => {
    const { lookup, loads, endOfIo } = harness();
    const first = lookup('a');
    endOfIo();
    expect(await first).toBe(1);
    const second = lookup('a');
    endOfIo();
    expect(await second).toBe(1);
    expect(loads).toEqual([['a'], ['a']]);
  });

  it('rejects every caller of a failed load and keeps serving later ones', async () => {
    const { lookup, endOfIo } = harness(undefined, 'b');
    const failed = [lookup('a'), lookup('b')];
    endOfIo();
    for (const answer of failed) await expect(answer).rejects.toThrow('cannot load b');
    const later = lookup('a');
    endOfIo();
    expect(await later).toBe(1);
  });

  it('defaults to flushing after the current I/O callbacks without any timer from the caller', async () => {
    let loads = 0;
    const lookup = batchedLookup(async (keys: readonly string[]) => {
      loads += 1;
      return new Map(keys.map((k) => [k, k.length]));
    });
    expect(await Promise.all([lookup('one'), lookup('three')])).toEqual([3, 5]);
    expect(loads).toBe(1);
  });
});
