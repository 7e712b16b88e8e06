/**
 * A store the service depends on did not answer (the edge profile's D1 database or R2 bucket, or a lock
 * on it held too long): nothing of the request was kept, and the same request may succeed in a moment.
 * Adapters throw it; the edge answers 503 with `Retry-After`, never a 500.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  /** Seconds after which trying again makes sense. */
  readonly retryAfterS: number;

  constructor(
    readonly store: 'database' | 'media',
    message: string,
    options?: { readonly cause?: unknown; readonly retryAfterS?: number },
  ) {
    super(message, options);
    this.retryAfterS = options?.retryAfterS ?? 5;
  }
}
