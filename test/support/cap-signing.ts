import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { SignedXml } from 'xml-crypto';

/** An alerting authority's signing key and self-signed certificate, made for the test. */
export interface TestSigner {
  readonly key: string;
  readonly cert: string;
  /** The certificate written to a PEM file, as `CAP_TRUSTED_CERTS` names it. */
  readonly certPath: string;
}

/** A self-signed RSA certificate valid around the harness clock (2026-11-27). */
export async function makeSigner(commonName: string): Promise<TestSigner> {
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date('2026-01-01T00:00:00Z'),
    notAfterDate: new Date('2028-01-01T00:00:00Z'),
  });
  const certPath = join(mkdtempSync(join(tmpdir(), 'loa-cap-cert-')), 'signer.pem');
  writeFileSync(certPath, pems.cert);
  return { key: pems.private, cert: pems.cert, certPath };
}

const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

export interface SignOptions {
  readonly digest?: 'sha1' | 'sha256';
  /** An XPath to sign instead of the whole document (with an `Id` on it, for `URI="#…"`). */
  readonly xpath?: string;
}

/**
 * Signs a CAP document as an alerting authority does: an enveloped XML-DSig signature appended to
 * `<alert>`, RSA-SHA-256 over one reference to the whole document, the certificate in `<KeyInfo>`.
 */
export function signCap(
  xml: string,
  signer: Pick<TestSigner, 'key' | 'cert'>,
  options: SignOptions = {},
): string {
  const sha1 = options.digest === 'sha1';
  const sig = new SignedXml({
    privateKey: signer.key,
    publicCert: signer.cert,
    canonicalizationAlgorithm: EXC_C14N,
    signatureAlgorithm: sha1
      ? 'http://www.w3.org/2000/09/xmldsig#rsa-sha1'
      : 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  });
  sig.addReference({
    xpath: options.xpath ?? '/*',
    transforms: [ENVELOPED, EXC_C14N],
    digestAlgorithm: sha1
      ? 'http://www.w3.org/2000/09/xmldsig#sha1'
      : 'http://www.w3.org/2001/04/xmlenc#sha256',
    isEmptyUri: options.xpath === undefined,
  });
  sig.computeSignature(xml, { location: { reference: '/*', action: 'append' } });
  return sig.getSignedXml();
}
