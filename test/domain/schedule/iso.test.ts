import { describe, expect, it } from 'vitest';
import { iso, isoOnce } from '../../../src/domain/schedule/index.js';

describe('isoOnce', () => {
  it('writes each instant as iso does, whichever came before it', () => {
    const text = isoOnce();
    const instants = [0, 1_700_000_000_000, 0, 1_700_000_000_001, 1_700_000_000_000, -86_400_000];
    expect(instants.map(text)).toEqual(instants.map(iso));
    expect(text(1_700_000_000_001)).toBe('2023-11-14T22:13:20.001Z');
  });
});
