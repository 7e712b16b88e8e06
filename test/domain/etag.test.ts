import { describe, expect, it } from 'vitest';
import { communeEtag } from '../../src/domain/commune.js';
import { ifMatchHolds } from '../../src/domain/etag.js';

describe('If-Match against a strong ETag', () => {
  const etag = communeEtag({ id: 'coc-san', settingsVersion: 3 });

  it('tags a commune by its id and settings version', () => {
    expect(etag).toBe('"commune-coc-san-v3"');
    expect(communeEtag({ id: 'coc-san', settingsVersion: 4 })).not.toBe(etag);
  });

  it.each([
    ['the tag itself', etag, true],
    ['a list holding it', `"other", ${etag}`, true],
    ['a list without spaces', `"other",${etag}`, true],
    ['any (*)', ' * ', true],
    ['the weak form of it', `W/${etag}`, false],
    ['another version', '"commune-coc-san-v2"', false],
    ['the tag unquoted', 'commune-coc-san-v3', false],
    ['nothing', '', false],
  ])('%s: %s', (_, ifMatch, holds) => {
    expect(ifMatchHolds(ifMatch, etag)).toBe(holds);
  });
});
