import { readFileSync } from 'node:fs';
import { trustedCapCertsOf } from './cap-signature.js';

/**
 * Reads the PEM files of `CAP_TRUSTED_CERTS` (each may hold several certificates). Throws, naming the
 * variable and the file, when one cannot be read or holds no certificate, so a bad setting stops the start.
 */
export function loadTrustedCapCerts(paths: readonly string[]): readonly string[] {
  return paths.flatMap((path) => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`CAP_TRUSTED_CERTS: cannot read "${path}" (${(error as Error).message})`);
    }
    return trustedCapCertsOf(text, `CAP_TRUSTED_CERTS: "${path}"`);
  });
}
