import { describe, expect, it } from 'vitest';
import { hashToken, uuidv7, webIds } from './ids.js';

describe('ids and tokens', () => {
  it('makes UUIDv7 ids that sort in creation order, even within one millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => webIds.id());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidv7(Date.parse('2026-11-27T00:00:00Z')) < uuidv7(Date.parse('2026-11-27T00:00:01Z'))).toBe(
      true,
    );
  });

  it('makes 256-bit URL-safe tokens and hashes them to hex SHA-256', async () => {
    const token = webIds.token();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
