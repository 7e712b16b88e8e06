/**
 * The outbound side of webhooks. The transport resolves the URL's host, checks every address it gets
 * against the kernel's rule (`webhookAddressProblem`), connects to the address it checked (never
 * resolving again, so a DNS answer that changes in between cannot lead it elsewhere), follows no
 * redirect, stops after a timeout and reads at most a small part of the answer.
 */
export interface WebhookRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What became of one attempt: a status code when an answer came, else the error. */
export interface WebhookResponse {
  readonly statusCode: number | null;
  readonly durationMs: number;
  /** Why the attempt failed (a refused address, a timeout, a redirect not followed, an HTTP error). */
  readonly error: string | null;
}

export interface WebhookTransport {
  send(request: WebhookRequest): Promise<WebhookResponse>;
}

/** Every address of a host name, as the system resolver gives them (`/etc/hosts`, DNS; IPv4 and IPv6). */
export type ResolveHost = (hostname: string) => Promise<readonly string[]>;

/**
 * Seals secrets that must be read again (a webhook's signing secret: an HMAC key cannot be kept as a
 * digest) with a key kept outside the database, so that a copy of the database alone does not give them.
 */
export interface SecretBox {
  seal(plain: string): Promise<string>;
  /** Throws when the sealed text was not sealed with this box's key. */
  open(sealed: string): Promise<string>;
}
