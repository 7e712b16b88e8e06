import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { createAuditRepository } from './audit.repository.js';
import { createCommunesRepository } from './communes.repository.js';
import { createHamletsRepository } from './hamlets.repository.js';
import { createReceiversRepository } from './receivers.repository.js';
import { createSessionsRepository } from './sessions.repository.js';
import { createUsersRepository } from './users.repository.js';

export function createRepositories(db: Kysely<Database>) {
  return {
    audit: createAuditRepository(db),
    communes: createCommunesRepository(db),
    hamlets: createHamletsRepository(db),
    receivers: createReceiversRepository(db),
    sessions: createSessionsRepository(db),
    users: createUsersRepository(db),
  } as const;
}

export type Repositories = ReturnType<typeof createRepositories>;
