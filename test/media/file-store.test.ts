import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileMediaStore } from '../../src/media/file-store.node.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loa-media-store-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('freeBytes', () => {
  it('tells the space left on the disk of the store, or null when it has no folder yet', async () => {
    const free = await createFileMediaStore(dir).freeBytes();
    expect(free).toBeGreaterThan(0);
    expect(Number.isInteger(free)).toBe(true);
    expect(await createFileMediaStore(join(dir, 'not-yet')).freeBytes()).toBeNull();
  });
});
