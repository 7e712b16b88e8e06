import { hashToken } from './ports.js';

interface NodeCrypto {
  createHash(algorithm: 'sha256'): { update(data: string): { digest(encoding: 'hex'): string } };
}

// Looked up at run time so that the core still imports nothing Node-only (Workers keep Web Crypto).
const nodeCrypto = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined;

/**
 * The SHA-256 hex digest of a device token, the same value as `hashToken`. On Node it is computed
 * synchronously: Web Crypto's digest is a thread-pool round trip that measured a third of the cost of
 * a manifest poll, which every receiver makes every minute.
 */
export function digestToken(token: string): string | Promise<string> {
  return nodeCrypto ? nodeCrypto.createHash('sha256').update(token).digest('hex') : hashToken(token);
}
