import type { Actor } from '../domain/actor.js';
import type { Clock } from '../domain/ports/clock.js';
import type { IdGenerator } from '../domain/ports/ids.js';
import type { Repositories } from '../domain/ports/repositories.js';

export interface AuditEvent {
  readonly actor: Actor | null;
  readonly requestId: string | null;
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string | null;
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * Every write appends one row: who, what, on which target, when, from which request. The row is
 * written through the repositories of the unit of work it describes, so both commit or neither does.
 */
export function createAuditTrail({ clock, ids }: { readonly clock: Clock; readonly ids: IdGenerator }) {
  return {
    async record(r: Pick<Repositories, 'audit'>, event: AuditEvent): Promise<void> {
      await r.audit.appendAudit({
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
