import { z } from 'zod';
import { LoaError } from './errors.js';

/**
 * The key a request that makes something is sent under: a confirmation page's one-time key, or an API
 * client's `Idempotency-Key`. The same request sent again under it (a double click, a retry after a
 * dropped 4G link) gets what the first one made, not a second booking, event or bulletin.
 */
export const IdempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{8,100}$/, 'must be 8 to 100 visible ASCII characters (a UUID, say)');

export const keyReused = (): LoaError =>
  new LoaError(
    422,
    'idempotency_key_reused',
    'This Idempotency-Key was already used for a different request; send a new request under a new key.',
    'Yêu cầu này trùng mã với một yêu cầu khác đã gửi; hãy mở lại biểu mẫu và gửi lại.',
  );
