import type { CapProblem } from './alert.js';

/**
 * XML signatures on CAP 1.2 alerts (CAP 1.2 §3.3.4: an enveloped XML-DSig `<Signature>` as the last
 * child of `<alert>`). The kernel states what a verified signature yields; the verification itself is
 * an adapter (`src/crypto/cap-signature.ts`, on both profiles), given to the CAP service as this port.
 */

/** Who signed an alert, as the trusted certificate that verified it names the signer. */
export interface CapSigner {
  /** The certificate's subject, e.g. `CN=Đài KTTV tỉnh Lào Cai, O=KTTV`. */
  readonly subject: string;
  /** SHA-256 fingerprint of the certificate, `AB:CD:…`. */
  readonly fingerprint: string;
}

export type CapSignatureCheck =
  | {
      readonly ok: true;
      /** The content the signature covers, canonical, without the signature: the only XML to read. */
      readonly signedXml: string;
      readonly signer: CapSigner;
    }
  | { readonly ok: false; readonly problem: CapProblem };

/** Port: verifies the enveloped signature of a whole CAP document against the trusted signers. */
export interface CapSignatureVerifier {
  verify(xml: string, now: Date): CapSignatureCheck;
}

/** How the CAP intake treats signatures. */
export interface CapSignaturePolicy {
  /** Absent where no signer is trusted (`CAP_TRUSTED_CERTS` unset): signed alerts are refused, unverifiable. */
  readonly verifier?: CapSignatureVerifier;
  /** `CAP_REQUIRE_SIGNATURE`: unsigned alerts are refused too. */
  readonly required?: boolean;
}
