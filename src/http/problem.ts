import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { LoaError } from '../domain/errors.js';
import { StoreUnavailableError } from '../domain/ports/unavailable.js';

/** RFC 9457 problem details, plus `detailVi` for the pages and `errors` for field-level messages. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly detailVi?: string;
  readonly requestId?: string;
  readonly [extra: string]: unknown;
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  507: 'Insufficient Storage',
};

export interface ProblemInput {
  readonly code: string;
  readonly status: number;
  readonly detail: string;
  readonly detailVi?: string;
  readonly [extra: string]: unknown;
}

export function problemResponse(c: Context, problem: ProblemInput): Response {
  const { code, status, detail, ...rest } = problem;
  const body: Problem = {
    type: `urn:loa:problem:${code}`,
    title: titles[status] ?? 'Error',
    status,
    detail,
    ...rest,
    requestId: c.get('requestId'),
  };
  return c.body(JSON.stringify(body), status as ContentfulStatusCode, {
    'Content-Type': 'application/problem+json; charset=utf-8',
  });
}

/**
 * Turns a zod error into field messages such as `{field: "hamletIds[0]", message: "…"}`; a rule that
 * words its refusal in Vietnamese too (`params.messageVi`, e.g. a text past its limit) adds `messageVi`.
 */
export function zodProblem(c: Context, error: ZodError, where: string): Response {
  const errors = error.issues.map((issue) => {
    const messageVi = issue.code === 'custom' ? issue.params?.messageVi : undefined;
    return {
      field:
        issue.path
          .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`))
          .join('') || where,
      message: issue.message,
      ...(typeof messageVi === 'string' && { messageVi }),
    };
  });
  const summary = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
  const summaryVi = errors.map((e) => e.messageVi ?? `${e.field}: ${e.message}`).join('; ');
  return problemResponse(c, {
    code: 'validation',
    status: 400,
    detail: `Invalid ${where}: ${summary}`,
    detailVi: `Dữ liệu gửi lên chưa đúng: ${summaryVi}`,
    errors,
  });
}

const malformedJson = () =>
  new LoaError(
    400,
    'malformed_json',
    'The request body is not valid JSON.',
    'Nội dung gửi lên không phải JSON hợp lệ.',
  );

/** The request's JSON body, for a route that reads it itself; a body that is not JSON is the client's 400. */
export async function readJson(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw malformedJson();
  }
}

/** The one error handler: every failure leaves as application/problem+json. */
export function toProblem(error: Error, c: Context): Response {
  if (error instanceof LoaError) {
    if (error.status === 429 && typeof error.extra.retryAfterS === 'number') {
      c.header('Retry-After', String(error.extra.retryAfterS));
    }
    return problemResponse(c, {
      code: error.code,
      status: error.status,
      detail: error.detail,
      detailVi: error.detailVi,
      ...error.extra,
    });
  }
  if (error instanceof HTTPException) {
    if (/malformed json/i.test(error.message)) return toProblem(malformedJson(), c);
    return problemResponse(c, {
      code: 'http',
      status: error.status,
      detail: error.message || titles[error.status] || 'Error',
      detailVi: 'Yêu cầu không hợp lệ.',
    });
  }
  if (error instanceof StoreUnavailableError) {
    // The store's own words may name hosts or bindings: they go to the log, the answer says what is down.
    c.get('logger')?.error({ err: error.message, store: error.store }, 'store unavailable');
    c.header('Retry-After', String(error.retryAfterS));
    const database = error.store === 'database';
    return problemResponse(c, {
      code: `${error.store}_unavailable`,
      status: 503,
      detail: `The ${database ? 'database' : 'audio store'} did not answer, so nothing was saved. Try again in a few seconds.`,
      detailVi: `${database ? 'Cơ sở dữ liệu' : 'Kho lưu âm thanh'} tạm thời không phản hồi nên chưa có gì được lưu. Hãy thử lại sau vài giây.`,
    });
  }
  c.get('logger')?.error({ err: { message: error.message, stack: error.stack } }, 'unhandled error');
  return problemResponse(c, {
    code: 'internal',
    status: 500,
    detail: 'Something went wrong on the server. The error has been logged; please try again.',
    detailVi: 'Máy chủ gặp lỗi. Lỗi đã được ghi lại, vui lòng thử lại.',
  });
}
