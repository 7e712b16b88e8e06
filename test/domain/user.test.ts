import { describe, expect, it } from 'vitest';
import { isSystemUsername, usernameKey } from '../../src/domain/user.js';

describe('usernameKey', () => {
  it('folds the case of Vietnamese and ASCII letters, composed or not, to one key', () => {
    expect(new Set(['Đức', 'đức', 'ĐỨC', 'đỨc', 'ĐỨC'.normalize('NFD')].map(usernameKey))).toEqual(
      new Set(['đức']),
    );
    expect(new Set(['admin', 'Admin', 'ADMIN'].map(usernameKey))).toEqual(new Set(['admin']));
    expect(usernameKey('Lò_Văn_Páo')).toBe('lò_văn_páo');
  });

  it('keeps apart what differs in more than case, and folds a key to itself', () => {
    expect(usernameKey('duc')).not.toBe(usernameKey('đức'));
    expect(usernameKey('Hoà')).not.toBe(usernameKey('Hoa'));
    for (const name of ['Đức', 'ADMIN', 'İstanbul', 'ΟΔΟΣ', 'Straße'])
      expect(usernameKey(usernameKey(name))).toBe(usernameKey(name));
  });

  it('does not depend on the runtime locale (Turkish I)', () => {
    expect(usernameKey('IRMAK')).toBe('irmak');
  });
});

describe('isSystemUsername', () => {
  it('keeps "cap-" in any case', () => {
    for (const name of ['cap-coc-san', 'CAP-x', 'Cap-x']) expect(isSystemUsername(name)).toBe(true);
    for (const name of ['capx', 'cap', 'cán-bộ']) expect(isSystemUsername(name)).toBe(false);
  });
});
