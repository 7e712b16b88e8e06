export const AUDIT_ACTOR_KINDS = ['user', 'receiver', 'machine', 'system'] as const;
export type AuditActorKind = (typeof AUDIT_ACTOR_KINDS)[number];

/** One row of the audit log: who did what, on which target, when, from which request. */
export interface AuditRecord {
  readonly id: string;
  readonly at: string;
  readonly actorId: string | null;
  readonly actorKind: AuditActorKind;
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string | null;
  readonly details: Readonly<Record<string, unknown>> | null;
  readonly requestId: string | null;
}
