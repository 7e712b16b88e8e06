import type { Db } from '../db/database.js';
import { createRepositories } from '../db/repositories/index.js';
import { createAuditTrail } from './audit.service.js';
import { createAuthService } from './auth.service.js';
import { createHamletsService } from './hamlets.service.js';
import type { Clock, IdGenerator, PasswordHasher } from './ports.js';
import { createReceiversService } from './receivers.service.js';
import { createSeedService } from './seed/seed.service.js';
import { createUsersService } from './users.service.js';

export interface ServiceDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly passwords: PasswordHasher;
  readonly sessionTtlHours: number;
}

/** Wires repositories into the services; each service gets only what it uses. */
export function createServices(deps: ServiceDeps) {
  const { clock, ids, passwords } = deps;
  const repos = createRepositories(deps.db.kysely);
  const audit = createAuditTrail({ audit: repos.audit, clock, ids });
  return {
    repos,
    audit,
    auth: createAuthService({
      users: repos.users,
      sessions: repos.sessions,
      receivers: repos.receivers,
      audit,
      clock,
      ids,
      passwords,
      sessionTtlHours: deps.sessionTtlHours,
    }),
    hamlets: createHamletsService({ hamlets: repos.hamlets, communes: repos.communes, audit, clock, ids }),
    users: createUsersService({
      users: repos.users,
      hamlets: repos.hamlets,
      sessions: repos.sessions,
      audit,
      clock,
      ids,
      passwords,
    }),
    receivers: createReceiversService({
      receivers: repos.receivers,
      hamlets: repos.hamlets,
      audit,
      clock,
      ids,
    }),
    seed: createSeedService({ repos, audit, clock, ids, passwords }),
  } as const;
}

export type Services = ReturnType<typeof createServices>;
