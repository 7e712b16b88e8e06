import { signedContent, WEBHOOK_SECRET_PREFIX } from '../domain/webhook.js';

const base64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));

/** A new signing secret: `whsec_` + base64 of 24 random bytes (192 bits). */
export function newWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${base64(crypto.getRandomValues(new Uint8Array(24)))}`;
}

/**
 * The `webhook-signature` header of Standard Webhooks: `v1,` + base64(HMAC-SHA256(key, id.timestamp.body)),
 * the key being the bytes the secret's base64 part stands for. Web Crypto, so Workers sign the same way.
 * @example await signWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')
 * // → 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' (the specification's own example)
 */
export async function signWebhook(
  secret: string,
  id: string,
  timestampS: number,
  body: string,
): Promise<string> {
  const keyBytes = Uint8Array.from(atob(secret.slice(WEBHOOK_SECRET_PREFIX.length)), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  const mac = await crypto.subtle.sign(
    'HMAC',
    key,
    new TextEncoder().encode(signedContent(id, timestampS, body)),
  );
  return `v1,${base64(new Uint8Array(mac))}`;
}
