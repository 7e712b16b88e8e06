import type { MiddlewareHandler } from 'hono';
import { LoaError } from '../../domain/errors.js';
import type { ReceiverSession } from '../../domain/receiver/receiver.js';
import type { ReceiverSyncService } from '../../services/receiver-sync.service.js';
import type { Logger } from '../../domain/ports/logger.js';
import { deviceHeader } from '../device-headers.js';

declare module 'hono' {
  interface ContextVariableMap {
    receiverSession: ReceiverSession | undefined;
  }
}

const unauthenticated = new LoaError(
  401,
  'receiver_unauthenticated',
  'This call is for loudspeaker receivers: send "Authorization: Bearer <device token>" with the token from POST /api/v1/receivers or …/rotate-token. A rotated, disabled or user token does not work here.',
  'Cuộc gọi này dành cho cụm loa: cần mã thiết bị hợp lệ. Mã đã đổi, cụm loa đã tắt hoặc mã người dùng không dùng được ở đây.',
);

/**
 * Authenticates a receiver by its device token on every call; nothing is cached, so a rotated or
 * disabled token gets 401 on its next request. The one lookup also yields the hamlet's schedule
 * version, which is all a manifest 304 needs.
 */
export const receiverAuth = (sync: ReceiverSyncService, logger: Logger): MiddlewareHandler =>
  async function receiverAuth(c, next) {
    // Device routes skip the request logger of the people's lane; errors are logged with this one.
    c.set('logger', logger);
    const token = deviceHeader(c, 'authorization')?.match(/^Bearer\s+([A-Za-z0-9._~+/=-]{16,512})$/)?.[1];
    const session = token ? await sync.authenticate(token) : undefined;
    if (!session) throw unauthenticated;
    c.set('receiver', { kind: 'receiver', id: session.id, hamletId: session.hamletId });
    c.set('receiverSession', session);
    await next();
  };
