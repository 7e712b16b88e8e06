/**
 * Whether an `If-Match` header value lets a write over the entity tagged `etag` go on (RFC 9110 §13.1.1):
 * `*`, or a list that holds that very tag. The comparison is strong: a weak tag (`W/"…"`) never matches,
 * nor does a value with no tag in it.
 * @example ifMatchHolds('"a", "commune-coc-san-v3"', '"commune-coc-san-v3"') // → true
 */
export function ifMatchHolds(ifMatch: string, etag: string): boolean {
  if (ifMatch.trim() === '*') return true;
  const tags: readonly string[] = ifMatch.match(/(?:W\/)?"[^"]*"/g) ?? [];
  return tags.includes(etag);
}
