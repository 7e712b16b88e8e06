import type { MiddlewareHandler } from 'hono';
import { LoaError } from '../../domain/errors.js';

/**
 * Refuses an address whose path or query holds a NUL (`%00`): no id, cursor or filter has one, and
 * PostgreSQL text cannot hold it, so it would fail the query as a server error instead of the request.
 */
export const refuseNulInAddress = (): MiddlewareHandler =>
  async function refuseNulInAddress(c, next) {
    const url = c.req.url;
    if (/%00/i.test(url.slice(url.indexOf('/', url.indexOf('//') + 2)))) {
      throw new LoaError(
        400,
        'malformed_address',
        'The address holds a NUL character (%00); no id, filter or cursor has one.',
        'Địa chỉ trang có ký tự không hợp lệ (%00). Hãy mở lại trang từ trình đơn.',
      );
    }
    await next();
  };
