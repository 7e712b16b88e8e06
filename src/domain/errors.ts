/**
 * An error a person can act on. `status` follows HTTP so that the one error handler can turn it into
 * `application/problem+json`; `detail` is English, `detailVi` the Vietnamese shown on pages.
 */
export class LoaError extends Error {
  override readonly name = 'LoaError';
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 422 | 429 | 503 | 507,
    readonly code: string,
    readonly detail: string,
    readonly detailVi: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(detail);
  }
}

export const notFound = (what: string, id: string, whatVi: string): LoaError =>
  new LoaError(
    404,
    'not_found',
    `${what} ${JSON.stringify(id)} does not exist.`,
    `Không tìm thấy ${whatVi} "${id}".`,
  );

export const forbidden = (detail: string, detailVi: string): LoaError =>
  new LoaError(403, 'forbidden', detail, detailVi);

export const conflict = (detail: string, detailVi: string, extra: Record<string, unknown> = {}): LoaError =>
  new LoaError(409, 'conflict', detail, detailVi, extra);

export const invalid = (field: string, detail: string, detailVi: string): LoaError =>
  new LoaError(422, 'invalid', detail, detailVi, {
    errors: [{ field, message: detail, messageVi: detailVi }],
  });

/** A conditional write (`If-Match`) over something that changed since the caller read it: nothing was written. */
export const preconditionFailed = (detail: string, detailVi: string): LoaError =>
  new LoaError(412, 'precondition_failed', detail, detailVi);
