import type { TestProject } from 'vitest/node';
import { capXml, geocodeCocSan } from '../../support/cap-fixtures.js';
import { makeSigner, signCap } from '../../support/cap-signing.js';

/** Signed CAP alerts for the edge's checks, made on Node: workerd cannot generate the test's keys. */
export interface EdgeCapSigning {
  /** The trusted signer's certificate, as PEM text (the Worker's `CAP_TRUSTED_CERTS`). */
  readonly trustedCert: string;
  /** An alert signed by the trusted signer. */
  readonly signed: string;
  /** Another alert signed by the trusted signer, its headline changed after signing. */
  readonly tampered: string;
  /** An alert signed by a key no one trusts. */
  readonly stranger: string;
  /** The same alert, unsigned. */
  readonly unsigned: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    edgeCapSigning: EdgeCapSigning;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const [kttv, stranger] = await Promise.all([
    makeSigner('Đài Khí tượng Thủy văn tỉnh Lào Cai'),
    makeSigner('Máy chủ lạ'),
  ]);
  const alert = (identifier: string, headline: string) =>
    capXml({ identifier, headline, area: geocodeCocSan });
  project.provide('edgeCapSigning', {
    trustedCert: kttv.cert,
    signed: signCap(alert('EDGE-SIG-OK', 'Lũ quét có chữ ký'), kttv),
    tampered: signCap(alert('EDGE-SIG-TAMPERED', 'Mưa vừa'), kttv).replace(
      '<headline>Mưa vừa</headline>',
      '<headline>Sơ tán toàn bộ xã ngay</headline>',
    ),
    stranger: signCap(alert('EDGE-SIG-STRANGER', 'Tin lạ'), stranger),
    unsigned: alert('EDGE-SIG-NONE', 'Tin không ký'),
  });
}
