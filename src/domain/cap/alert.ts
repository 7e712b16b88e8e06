import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import type { CapSignaturePolicy, CapSigner } from './signature.js';

/**
 * Common Alerting Protocol 1.2 (OASIS Standard, 2010) messages as Loa reads them. The XML is parsed
 * by fast-xml-parser with entity processing off, and any DOCTYPE or ENTITY declaration is refused
 * before parsing, so neither "billion laughs" nor external entities can be expressed. The parsed
 * document is then checked by a zod schema that mirrors the CAP 1.2 XSD: its required elements, its
 * enumerations, the dateTime form and the point lists of polygons and circles.
 */

export const CAP_NAMESPACE = 'urn:oasis:names:tc:emergency:cap:1.2';
/** Largest CAP document taken (push and feed entry alike). */
export const MAX_CAP_BYTES = 256 * 1024;

export const CAP_STATUSES = ['Actual', 'Exercise', 'System', 'Test', 'Draft'] as const;
export const CAP_MSG_TYPES = ['Alert', 'Update', 'Cancel', 'Ack', 'Error'] as const;
export const CAP_SCOPES = ['Public', 'Restricted', 'Private'] as const;
export const CAP_CATEGORIES = [
  'Geo',
  'Met',
  'Safety',
  'Security',
  'Rescue',
  'Fire',
  'Health',
  'Env',
  'Transport',
  'Infra',
  'CBRNE',
  'Other',
] as const;
export const CAP_RESPONSE_TYPES = [
  'Shelter',
  'Evacuate',
  'Prepare',
  'Execute',
  'Avoid',
  'Monitor',
  'Assess',
  'AllClear',
  'None',
] as const;
export const CAP_URGENCIES = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'] as const;
export const CAP_SEVERITIES = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] as const;
export const CAP_CERTAINTIES = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'] as const;

// CAP 1.2 §3.3.2: a dateTime with an explicit offset and no fraction ("2026-11-27T14:30:00+07:00"; -00:00 is UTC).
const capDateTime = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/,
    'must be a CAP dateTime with an offset, e.g. 2026-11-27T14:30:00+07:00',
  )
  .refine((s) => !Number.isNaN(Date.parse(s)), 'is not a real date and time');

// No spaces, commas or restricted characters (< and &) in identifiers and senders (§3.2.1).
const capId = z
  .string()
  .min(1)
  .max(500)
  .regex(/^[^\s,<&]+$/, 'must not contain spaces, commas, < or &');

const text = (max: number) => z.string().trim().max(max);

const point = /^-?\d{1,2}(\.\d+)?,-?\d{1,3}(\.\d+)?$/;
/** §3.3.4.2 polygon: at least four "lat,lon" pairs, first and last the same. */
const polygon = z
  .string()
  .trim()
  .refine((s) => {
    const pairs = s.split(/\s+/);
    return pairs.length >= 4 && pairs.every((p) => point.test(p)) && pairs[0] === pairs.at(-1);
  }, 'must be at least four "lat,lon" pairs separated by spaces, the first and last the same');
/** §3.3.4.3 circle: "lat,lon radius" with the radius in kilometres. */
const circle = z
  .string()
  .trim()
  .regex(/^-?\d{1,2}(\.\d+)?,-?\d{1,3}(\.\d+)?\s+\d+(\.\d+)?$/, 'must be "lat,lon radius-in-km"');

const valuePair = z.strictObject({ valueName: text(200).min(1), value: text(2000) });

const many = <T extends z.ZodType>(schema: T) => z.array(schema).default([]);

export const CapAreaSchema = z.strictObject({
  areaDesc: text(2000).min(1),
  polygon: many(polygon),
  circle: many(circle),
  geocode: many(valuePair),
  altitude: z.coerce.number().optional(),
  ceiling: z.coerce.number().optional(),
});

const CapResourceSchema = z.strictObject({
  resourceDesc: text(2000).min(1),
  mimeType: text(200).min(1),
  size: z.coerce.number().int().optional(),
  uri: text(2000).optional(),
  derefUri: z.string().optional(),
  digest: text(200).optional(),
});

export const CapInfoSchema = z.strictObject({
  language: text(35).default('en-US'),
  category: z.array(z.enum(CAP_CATEGORIES)).min(1),
  event: text(500).min(1),
  responseType: many(z.enum(CAP_RESPONSE_TYPES)),
  urgency: z.enum(CAP_URGENCIES),
  severity: z.enum(CAP_SEVERITIES),
  certainty: z.enum(CAP_CERTAINTIES),
  audience: text(500).optional(),
  eventCode: many(valuePair),
  effective: capDateTime.optional(),
  onset: capDateTime.optional(),
  expires: capDateTime.optional(),
  senderName: text(500).optional(),
  headline: text(500).optional(),
  description: text(MAX_CAP_BYTES).optional(),
  instruction: text(MAX_CAP_BYTES).optional(),
  web: text(2000).optional(),
  contact: text(500).optional(),
  parameter: many(valuePair),
  resource: many(CapResourceSchema),
  area: many(CapAreaSchema),
});

export const CapAlertSchema = z
  .strictObject({
    identifier: capId,
    sender: capId,
    sent: capDateTime,
    status: z.enum(CAP_STATUSES),
    msgType: z.enum(CAP_MSG_TYPES),
    source: text(500).optional(),
    scope: z.enum(CAP_SCOPES),
    restriction: text(2000).optional(),
    addresses: text(5000).optional(),
    code: many(text(200)),
    note: text(5000).optional(),
    references: text(10_000).optional(),
    incidents: text(5000).optional(),
    info: many(CapInfoSchema),
  })
  .superRefine((a, ctx) => {
    if (a.scope === 'Restricted' && !a.restriction)
      ctx.addIssue({
        code: 'custom',
        path: ['restriction'],
        message: 'is required when scope is Restricted',
      });
    if (a.scope === 'Private' && !a.addresses)
      ctx.addIssue({ code: 'custom', path: ['addresses'], message: 'is required when scope is Private' });
    if ((a.msgType === 'Update' || a.msgType === 'Cancel') && !a.references)
      ctx.addIssue({ code: 'custom', path: ['references'], message: `is required for msgType ${a.msgType}` });
  });
export type CapAlert = z.output<typeof CapAlertSchema>;
export type CapInfo = CapAlert['info'][number];
export type CapArea = CapInfo['area'][number];

/** Why a document is not a CAP 1.2 alert Loa can take, in words for the sender and for the officer. */
export interface CapProblem {
  readonly code:
    | 'too_large'
    | 'dtd_refused'
    | 'malformed_xml'
    | 'wrong_namespace'
    | 'invalid_cap'
    | 'signature_unverifiable'
    | 'signature_invalid'
    | 'signature_untrusted'
    | 'signature_weak'
    | 'signature_partial'
    | 'signature_required';
  readonly message: string;
  readonly messageVi: string;
}

export type CapParse =
  | { readonly ok: true; readonly alert: CapAlert; readonly signer: CapSigner | null }
  | { readonly ok: false; readonly problem: CapProblem };

/** How `parseCapAlert` treats an XML signature. */
export interface CapParseOptions extends CapSignaturePolicy {
  /** The clock's time, against which the signer's certificate must be valid. */
  readonly now?: Date;
  /**
   * A document Loa stored after verifying it on receipt: its signature is set aside, not checked again
   * (the certificate may have expired since).
   */
  readonly stored?: boolean;
}

const fail = (
  code: CapProblem['code'],
  message: string,
  messageVi: string,
): { readonly ok: false; readonly problem: CapProblem } => ({
  ok: false,
  problem: { code, message, messageVi },
});

// Elements that may repeat in CAP 1.2; read as lists even when they appear once.
const REPEATED = new Set([
  'info',
  'area',
  'polygon',
  'circle',
  'geocode',
  'parameter',
  'eventCode',
  'category',
  'responseType',
  'resource',
  'code',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: false,
  // Entities are never expanded (no "billion laughs"); the five XML ones are resolved below by hand.
  processEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => REPEATED.has(name.replace(/^[^:]+:/, '')),
});

const XML_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const decodeText = (s: string): string =>
  s.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_, e: string) =>
    e.startsWith('#x')
      ? String.fromCodePoint(parseInt(e.slice(2), 16))
      : e.startsWith('#')
        ? String.fromCodePoint(Number(e.slice(1)))
        : XML_ENTITIES[e]!,
  );

/** The parsed tree with namespace prefixes and attributes dropped and the five XML entities decoded. */
function plain(node: unknown): unknown {
  if (typeof node === 'string') return decodeText(node);
  if (Array.isArray(node)) return node.map(plain);
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('@_') || key === '#text') continue;
      out[key.replace(/^[^:]+:/, '')] = plain(value);
    }
    return out;
  }
  return node;
}

/**
 * Reads a CAP 1.2 document: refuses it when it is too large, declares a DTD or entities, is not
 * well-formed XML, has another root or namespace, carries an XML signature that does not verify
 * against a trusted signer (or any signature where no verifier runs), lacks one when signatures are
 * required, or breaks the schema; otherwise returns the alert and who signed it.
 *
 * A signed alert is read from the content the signature covers, as the verifier returns it, never from
 * the document around it, so nothing wrapped around or beside the signed content can be read aloud.
 */
export function parseCapAlert(xml: string, options: CapParseOptions = {}): CapParse {
  const read = readCapDocument(xml);
  if (!read.ok) return read;
  const body = read.body;
  if ('Signature' in body) {
    if (options.stored) {
      const { Signature: _, ...unsigned } = body;
      return checkSchema(unsigned, null);
    }
    if (!options.verifier)
      return fail(
        'signature_unverifiable',
        'The alert carries an XML signature, and this installation has no trusted signer to verify it with (CAP_TRUSTED_CERTS); it is refused rather than aired unverified. Send it unsigned over the authenticated push, or ask the province to configure the signer.',
        'Bản tin có chữ ký số XML nhưng hệ thống chưa có chứng thư tin cậy để kiểm tra; bản tin bị từ chối thay vì phát khi chưa kiểm chứng.',
      );
    const checked = options.verifier.verify(xml, options.now ?? new Date());
    if (!checked.ok) return checked;
    const signed = readCapDocument(checked.signedXml);
    if (!signed.ok) return signed;
    if ('Signature' in signed.body)
      return fail(
        'signature_partial',
        'The signature does not cover the whole alert.',
        'Chữ ký số không bao trùm toàn bộ bản tin.',
      );
    return checkSchema(signed.body, checked.signer);
  }
  if (options.required && !options.stored)
    return fail(
      'signature_required',
      'This installation takes only signed CAP alerts (CAP_REQUIRE_SIGNATURE), and this one carries no XML signature.',
      'Hệ thống chỉ nhận bản tin CAP có chữ ký số; bản tin này không có chữ ký.',
    );
  return checkSchema(body, null);
}

// The validator lets through what the parser then refuses (an element named `constructor`) and character
// references to no character (`&#x110000;`, which decoding throws on): not well-formed XML, never a 500.
const notWellFormed = (error: unknown) =>
  fail(
    'malformed_xml',
    `The CAP document is not well-formed XML: ${(error as Error).message}.`,
    `Bản tin CAP không phải XML hợp lệ: ${(error as Error).message}.`,
  );

/** The document's root `<alert>` as plain values, or why it is not one. */
function readCapDocument(
  xml: string,
):
  | { readonly ok: true; readonly body: Record<string, unknown> }
  | { readonly ok: false; readonly problem: CapProblem } {
  if (new TextEncoder().encode(xml).byteLength > MAX_CAP_BYTES)
    return fail(
      'too_large',
      `The CAP document is larger than ${MAX_CAP_BYTES / 1024} KB.`,
      `Bản tin CAP lớn hơn ${MAX_CAP_BYTES / 1024} KB.`,
    );
  if (/<!DOCTYPE|<!ENTITY|<!ELEMENT|<!ATTLIST/i.test(xml))
    return fail(
      'dtd_refused',
      'The CAP document declares a DTD or entities, which are refused (CAP 1.2 needs none).',
      'Bản tin CAP có khai báo DTD hoặc thực thể XML; hệ thống từ chối loại này (CAP 1.2 không cần).',
    );
  const valid = XMLValidator.validate(xml);
  if (valid !== true)
    return fail(
      'malformed_xml',
      `The CAP document is not well-formed XML: ${valid.err.msg} (line ${valid.err.line}).`,
      `Bản tin CAP không phải XML hợp lệ: ${valid.err.msg} (dòng ${valid.err.line}).`,
    );
  let tree: Record<string, unknown>;
  try {
    tree = parser.parse(xml) as Record<string, unknown>;
  } catch (error) {
    return notWellFormed(error);
  }
  const rootName = Object.keys(tree).find((k) => !k.startsWith('?') && !k.startsWith('#'));
  const root = rootName ? (tree[rootName] as Record<string, unknown> | string) : undefined;
  const local = rootName?.replace(/^[^:]+:/, '');
  const prefix = rootName?.includes(':') ? rootName.split(':')[0] : null;
  const ns = root && typeof root === 'object' ? root[prefix ? `@_xmlns:${prefix}` : '@_xmlns'] : undefined;
  if (local !== 'alert' || ns !== CAP_NAMESPACE)
    return fail(
      'wrong_namespace',
      `The root element must be <alert> in the namespace ${CAP_NAMESPACE}; found <${rootName ?? '?'}> in ${String(ns ?? 'no namespace')}.`,
      `Phần tử gốc phải là <alert> thuộc không gian tên ${CAP_NAMESPACE} (CAP 1.2); tài liệu này là <${rootName ?? '?'}>${ns ? ` thuộc ${String(ns)}` : ' không có không gian tên'}.`,
    );
  try {
    return { ok: true, body: plain(root) as Record<string, unknown> };
  } catch (error) {
    return notWellFormed(error);
  }
}

function checkSchema(body: Record<string, unknown>, signer: CapSigner | null): CapParse {
  const checked = CapAlertSchema.safeParse(body);
  if (!checked.success) {
    const issues = checked.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || 'alert'}: ${i.message}`)
      .join('; ');
    return fail(
      'invalid_cap',
      `The alert does not follow the CAP 1.2 schema: ${issues}.`,
      `Bản tin không đúng lược đồ CAP 1.2: ${issues}.`,
    );
  }
  return { ok: true, alert: checked.data, signer };
}

/** The references of an Update or Cancel: "sender,identifier,sent" triples separated by spaces (§3.2.1). */
export function capReferences(
  references: string | undefined,
): readonly { readonly sender: string; readonly identifier: string; readonly sent: string }[] {
  if (!references) return [];
  return references
    .trim()
    .split(/\s+/)
    .flatMap((triple) => {
      const [sender, identifier, sent] = triple.split(',');
      return sender && identifier && sent ? [{ sender, identifier, sent }] : [];
    });
}
