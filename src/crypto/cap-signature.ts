import { DOMParser, type XmlElement as Element } from '@xmldom/xmldom/lib/dom-parser.js';
import { X509Certificate } from 'node:crypto';
import { pemCertificates, SignedXml, toPem } from 'xml-crypto';
import type { CapProblem } from '../domain/cap/alert.js';
import type { CapSignatureCheck, CapSignatureVerifier, CapSigner } from '../domain/cap/signature.js';

const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const CANONICAL = new Set([
  'http://www.w3.org/2001/10/xml-exc-c14n#',
  'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments',
]);
// SHA-1 is refused: collisions are practical since 2017 (SHAttered) and XML-DSig 1.1 deprecates it.
const SIGNATURE_METHODS = new Set([
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
]);
const DIGEST_METHODS = new Set([
  'http://www.w3.org/2001/04/xmlenc#sha256',
  'http://www.w3.org/2001/04/xmlenc#sha512',
]);

interface Trusted {
  readonly pem: string;
  readonly cert: X509Certificate;
  readonly signer: CapSigner;
}

const refuse = (code: CapProblem['code'], message: string, messageVi: string): CapSignatureCheck => ({
  ok: false,
  problem: { code, message, messageVi },
});

/**
 * The certificates of a PEM text (one or several), each as its own PEM. Throws, naming `source` (the
 * setting and the file), when the text holds none, so a bad setting stops the start.
 */
export function trustedCapCertsOf(text: string, source: string): readonly string[] {
  const certs = pemCertificates(text).map((b64) => toPem(b64, 'CERTIFICATE'));
  if (certs.length === 0) throw new Error(`${source} holds no PEM certificate`);
  return certs;
}

/**
 * The CAP signature verifier of both profiles, by xml-crypto (node:crypto, which workerd provides with
 * `nodejs_compat`): exactly one enveloped XML-DSig
 * signature, a child of `<alert>`, with one reference to the whole document (`URI=""`, the
 * enveloped-signature transform and canonicalisation only), RSA with SHA-256 or SHA-512, made by the key of
 * one of the trusted certificates, valid at `now`. A certificate carried in `<KeyInfo>` is only used to
 * pick among the trusted ones; it is never trusted for itself.
 */
export function createCapSignatureVerifier(trustedPems: readonly string[]): CapSignatureVerifier {
  const trusted: readonly Trusted[] = trustedPems.map((pem) => {
    const cert = new X509Certificate(pem);
    return {
      pem,
      cert,
      signer: { subject: cert.subject.replace(/\n/g, ', '), fingerprint: cert.fingerprint256 },
    };
  });
  return {
    verify(xml, now) {
      const doc = new DOMParser({ errorHandler: () => undefined }).parseFromString(xml, 'text/xml');
      const root = doc.documentElement;
      const signatures: Element[] = root ? Array.from(doc.getElementsByTagNameNS(DSIG, 'Signature')) : [];
      if (!root || signatures.length !== 1 || signatures[0]!.parentNode !== root)
        return refuse(
          'signature_partial',
          'The alert must carry exactly one XML signature, as the last child of <alert>.',
          'Bản tin phải có đúng một chữ ký số, đặt trong phần tử <alert>.',
        );
      const signature = signatures[0]!;
      const signedInfo = child(signature, 'SignedInfo');
      const references = signedInfo ? children(signedInfo, 'Reference') : [];
      const reference = references[0];
      const transforms = reference
        ? children(child(reference, 'Transforms'), 'Transform').map((t) => t.getAttribute('Algorithm') ?? '')
        : [];
      if (
        references.length !== 1 ||
        !reference!.hasAttribute('URI') ||
        reference!.getAttribute('URI') !== '' ||
        !transforms.includes(ENVELOPED) ||
        transforms.some((t) => t !== ENVELOPED && !CANONICAL.has(t))
      )
        return refuse(
          'signature_partial',
          'The signature does not cover the whole alert: it needs one reference to the whole document (URI="") with the enveloped-signature transform.',
          'Chữ ký số không bao trùm toàn bộ bản tin (cần một tham chiếu URI="" với phép biến đổi enveloped-signature).',
        );
      const method = algorithm(signedInfo, 'SignatureMethod');
      const digest = algorithm(reference, 'DigestMethod');
      if (!SIGNATURE_METHODS.has(method) || !DIGEST_METHODS.has(digest))
        return refuse(
          'signature_weak',
          `The signature uses ${method || 'no signature method'} with ${digest || 'no digest'}; only RSA with SHA-256 or SHA-512 is accepted (SHA-1 is refused).`,
          'Chữ ký số dùng thuật toán yếu hoặc không hỗ trợ; chỉ chấp nhận RSA với SHA-256 hoặc SHA-512 (SHA-1 bị từ chối).',
        );

      const carried = carriedCertificate(signature);
      const candidates = carried
        ? trusted.filter((t) => t.signer.fingerprint === carried.fingerprint256)
        : trusted;
      if (carried && candidates.length === 0)
        return refuse(
          'signature_untrusted',
          `The alert is signed by "${carried.subject.replace(/\n/g, ', ')}", which is not a trusted signer of this installation (CAP_TRUSTED_CERTS).`,
          `Bản tin được ký bởi "${carried.subject.replace(/\n/g, ', ')}", không phải đơn vị ký tin cậy đã cấu hình.`,
        );
      const current = candidates.filter(
        (t) => Date.parse(t.cert.validFrom) <= now.getTime() && now.getTime() <= Date.parse(t.cert.validTo),
      );
      if (candidates.length > 0 && current.length === 0)
        return refuse(
          'signature_untrusted',
          `The signer's certificate is not valid at ${now.toISOString()} (expired or not yet valid).`,
          'Chứng thư số của đơn vị ký đã hết hạn hoặc chưa có hiệu lực.',
        );
      for (const t of current) {
        const check = new SignedXml({ publicCert: t.pem, getCertFromKeyInfo: () => null });
        let valid = false;
        try {
          // Loading throws on a signature missing a part (no CanonicalizationMethod): it does not verify.
          check.loadSignature(signature as unknown as Parameters<SignedXml['loadSignature']>[0]);
          valid = check.checkSignature(xml);
        } catch {
          valid = false;
        }
        const signed = valid ? check.getSignedReferences() : [];
        if (signed.length === 1) return { ok: true, signedXml: signed[0]!, signer: t.signer };
      }
      return refuse(
        'signature_invalid',
        carried
          ? 'The XML signature does not verify: the alert was changed after it was signed.'
          : 'The XML signature does not verify with any trusted signer (CAP_TRUSTED_CERTS): the alert was changed after it was signed, or signed by another key.',
        'Chữ ký số không hợp lệ: bản tin đã bị sửa sau khi ký, hoặc không do đơn vị tin cậy ký.',
      );
    },
  };
}

function children(parent: Element | undefined, name: string): Element[] {
  if (!parent) return [];
  return Array.from(parent.childNodes).filter(
    (n) => n.nodeType === 1 && n.localName === name && n.namespaceURI === DSIG,
  );
}
const child = (parent: Element | undefined, name: string): Element | undefined => children(parent, name)[0];
const algorithm = (parent: Element | undefined, name: string): string =>
  child(parent, name)?.getAttribute('Algorithm') ?? '';

/** The signer's certificate if `<KeyInfo><X509Data><X509Certificate>` carries one. */
function carriedCertificate(signature: Element): X509Certificate | null {
  const text = child(child(child(signature, 'KeyInfo'), 'X509Data'), 'X509Certificate')?.textContent;
  if (!text) return null;
  try {
    return new X509Certificate(toPem(text.replace(/\s+/g, ''), 'CERTIFICATE'));
  } catch {
    return null;
  }
}
