/**
 * Reads a CAP feed or a CAP document by URL, as a port: only http(s), the host resolved once and every
 * address checked (no private or local address unless the province allows its own network), no
 * redirect followed, a timeout, and at most `maxBytes` read (more is an error, never a cut document).
 */
export interface FeedFetcher {
  get(url: string, maxBytes: number): Promise<{ readonly body: string } | { readonly error: string }>;
}
