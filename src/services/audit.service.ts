import type { AuditRepository } from '../db/repositories/audit.repository.js';
import type { Actor } from '../domain/actor.js';
import type { Clock, IdGenerator } from '../domain/ports.js';

interface Deps {
  readonly audit: AuditRepository;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

export interface AuditEvent {
  readonly actor: Actor | null;
  readonly requestId: string | null;
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string | null;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Every write appends one row: who, what, on which target, when, from which request. */
export function createAuditTrail({ audit, clock, ids }: Deps) {
  return {
    async record(event: AuditEvent): Promise<void> {
      await audit.appendAudit({
        id: ids.id(),
        at: clock.now().toISOString(),
        actorId: event.actor?.id ?? null,
        actorKind: event.actor?.kind ?? 'system',
        action: event.action,
        targetType: event.targetType,
        targetId: event.targetId,
        details: event.details ?? null,
        requestId: event.requestId,
      });
    },
  };
}

export type AuditTrail = ReturnType<typeof createAuditTrail>;
