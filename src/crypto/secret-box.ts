import type { SecretBox } from '../domain/ports/webhooks.js';

/** `v1.` + base64url(12-byte IV) + `.` + base64url(AES-256-GCM ciphertext with its 16-byte tag). */
const VERSION = 'v1';

const toBase64Url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const fromBase64Url = (text: string): Uint8Array<ArrayBuffer> => {
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
};

/**
 * A SecretBox over Web Crypto's AES-256-GCM (Node and Workers alike): each secret gets a random IV, and
 * the tag makes a wrong key or a changed text fail to open instead of giving garbage.
 * @example const box = await createSecretBox(key32); await box.open(await box.seal('whsec_…')) // 'whsec_…'
 */
export async function createSecretBox(key: Uint8Array): Promise<SecretBox> {
  if (key.length !== 32) throw new RangeError(`the secret key must be 32 bytes (got ${key.length})`);
  const aes = await crypto.subtle.importKey('raw', new Uint8Array(key), 'AES-GCM', false, [
    'encrypt',
    'decrypt',
  ]);
  return {
    async seal(plain) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const sealed = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv },
        aes,
        new TextEncoder().encode(plain),
      );
      return `${VERSION}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
    },
    async open(sealed) {
      const [version, iv, data] = sealed.split('.');
      if (version !== VERSION || !iv || !data) throw new Error('not a sealed secret of this version');
      const plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: fromBase64Url(iv) },
        aes,
        fromBase64Url(data),
      );
      return new TextDecoder().decode(plain);
    },
  };
}

/** Reads a key given as base64 (standard or URL-safe); throws unless it is 32 bytes. */
export function parseSecretKey(text: string): Uint8Array {
  const bytes = fromBase64Url(text.trim().replace(/=+$/, ''));
  if (bytes.length !== 32) throw new RangeError(`must be 32 bytes in base64 (got ${bytes.length} bytes)`);
  return bytes;
}
