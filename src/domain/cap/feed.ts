import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { CAP_NAMESPACE } from './alert.js';

/** Largest feed document read (Atom or RSS); each CAP document it names is held to `MAX_CAP_BYTES`. */
export const MAX_FEED_BYTES = 1024 * 1024;

/** A CAP feed a province polls (`CAP_FEEDS`). */
export interface CapFeed {
  readonly provinceCode: string;
  readonly url: string;
}

/** What a feed carries: CAP alerts embedded in its entries, and links to CAP documents. */
export interface CapFeedEntries {
  readonly embedded: readonly string[];
  readonly links: readonly string[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  processEntities: false,
  parseTagValue: false,
  removeNSPrefix: true,
  isArray: (name) => name === 'entry' || name === 'item' || name === 'link',
});

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/**
 * The CAP alerts of an Atom or RSS feed: alerts written inside its entries (each cut out as its own
 * document, with the feed's declaration of the CAP prefix carried over), and links to CAP documents
 * (Atom `<link type="application/cap+xml">` or any link ending in .xml/.cap; RSS `<item><link>`),
 * made absolute against the feed's URL and kept to http(s). A DTD or entity declaration is refused, as
 * in an alert.
 */
export function capFeedEntries(
  xml: string,
  feedUrl: string,
): { readonly ok: true; readonly entries: CapFeedEntries } | { readonly ok: false; readonly error: string } {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) return { ok: false, error: 'the feed declares a DTD or entities' };
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return { ok: false, error: `the feed is not well-formed XML: ${valid.err.msg}` };

  const rootPrefixes = new Map<string, string>();
  for (const m of xml.matchAll(/xmlns:([\w.-]+)\s*=\s*["']([^"']+)["']/g)) rootPrefixes.set(m[1]!, m[2]!);
  const embedded: string[] = [];
  for (const m of xml.matchAll(/<((?:([\w.-]+):)?alert)\b([^>]*)>[\s\S]*?<\/\1\s*>/g)) {
    const [whole, , prefix, attributes] = m;
    const declared = prefix ? attributes!.includes(`xmlns:${prefix}`) : /\bxmlns\s*=/.test(attributes!);
    if (declared) embedded.push(whole);
    else if (prefix && rootPrefixes.get(prefix) === CAP_NAMESPACE)
      embedded.push(whole.replace(`<${prefix}:alert`, `<${prefix}:alert xmlns:${prefix}="${CAP_NAMESPACE}"`));
  }

  let tree: Record<string, any>;
  try {
    tree = parser.parse(xml) as Record<string, any>;
  } catch (error) {
    // What the validator lets through and the parser refuses (an element named `constructor`).
    return { ok: false, error: `the feed is not well-formed XML: ${(error as Error).message}` };
  }
  const hrefs: string[] = [];
  for (const entry of list(tree.feed?.entry)) {
    for (const link of list((entry as Record<string, unknown>).link)) {
      const l = link as Record<string, string>;
      const href = l['@_href'];
      if (href && ((l['@_type'] ?? '').includes('cap') || /\.(xml|cap)$/i.test(href))) hrefs.push(href);
    }
  }
  for (const item of list(tree.rss?.channel?.item)) {
    for (const link of list((item as Record<string, unknown>).link)) {
      if (typeof link === 'string' && link.trim()) hrefs.push(link.trim());
    }
  }
  const links = [
    ...new Set(
      hrefs.flatMap((href) => {
        try {
          const url = new URL(href, feedUrl);
          return url.protocol === 'http:' || url.protocol === 'https:' ? [url.href] : [];
        } catch {
          return [];
        }
      }),
    ),
  ];
  return { ok: true, entries: { embedded, links } };
}

/**
 * CAP documents in the order they were sent (their `<sent>`), those without a readable one last, each
 * group in the feed's order. Feeds list their newest entries first, and an Update or a Cancel taken before
 * the alert it names finds nothing to replace or stop, which then airs as new.
 * @example inSentOrder([{ xml: cancel }, { xml: alert }]) // → [{ xml: alert }, { xml: cancel }]
 */
export function inSentOrder<T extends { readonly xml: string }>(documents: readonly T[]): T[] {
  const sentAt = (xml: string) => {
    // `sent` is a child of `<alert>` only, and comes before any `<info>`: the first one is the alert's.
    const at = Date.parse(/<(?:[\w.-]+:)?sent\s*>\s*([^<]*?)\s*<\//.exec(xml)?.[1] ?? '');
    return Number.isNaN(at) ? Number.POSITIVE_INFINITY : at;
  };
  return documents
    .map((d, i) => ({ d, i, at: sentAt(d.xml) }))
    .sort((x, y) => (x.at === y.at ? x.i - y.i : x.at < y.at ? -1 : 1))
    .map(({ d }) => d);
}
