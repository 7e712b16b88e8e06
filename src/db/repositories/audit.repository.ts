import type { Kysely } from 'kysely';
import type { AuditRecord } from '../../domain/audit.js';
import type { AuditRepository } from '../../domain/ports/repositories.js';
import type { Database } from '../schema.js';

export function createAuditRepository(db: Kysely<Database>): AuditRepository {
  return {
    async appendAudit(record: AuditRecord): Promise<void> {
      await db
        .insertInto('audit_log')
        .values({
          id: record.id,
          at: record.at,
          actor_id: record.actorId,
          actor_kind: record.actorKind,
          action: record.action,
          target_type: record.targetType,
          target_id: record.targetId,
          details: record.details ? JSON.stringify(record.details) : null,
          request_id: record.requestId,
        })
        .execute();
    },

    async listRecentAudit(limit: number): Promise<readonly AuditRecord[]> {
      const rows = await db.selectFrom('audit_log').selectAll().orderBy('at', 'desc').limit(limit).execute();
      return rows.map((r) => ({
        id: r.id,
        at: r.at,
        actorId: r.actor_id,
        actorKind: r.actor_kind,
        action: r.action,
        targetType: r.target_type,
        targetId: r.target_id,
        details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
        requestId: r.request_id,
      }));
    },
  };
}
