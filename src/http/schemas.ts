import { z } from '@hono/zod-openapi';
import { IdempotencyKeySchema } from '../domain/idempotency.js';
import { RoleSchema } from '../domain/user.js';

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    detailVi: z.string().optional(),
    requestId: z.string().optional(),
  })
  .openapi('Problem');

export const problemResponses = {
  400: { description: 'Invalid input', content: { 'application/problem+json': { schema: ProblemSchema } } },
  401: { description: 'Not signed in', content: { 'application/problem+json': { schema: ProblemSchema } } },
  403: { description: 'Not allowed', content: { 'application/problem+json': { schema: ProblemSchema } } },
  404: { description: 'Not found', content: { 'application/problem+json': { schema: ProblemSchema } } },
} as const;

export const ListQuery = z.strictObject({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** A request that makes something, made once however often it is sent under one key. */
export const IdempotencyHeader = z.object({
  'idempotency-key': IdempotencyKeySchema.optional().openapi({
    description:
      'A key of the client’s choosing (a UUID): the same request sent again under it answers with what the first made instead of making it twice. The same key with a different request: 422.',
  }),
});

/** The use case's option from the validated header. */
export const keyOf = (headers: z.output<typeof IdempotencyHeader>): { idempotencyKey?: string } => {
  const key = headers['idempotency-key'];
  return key ? { idempotencyKey: key } : {};
};

export const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

export const HamletSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    languages: z.array(z.string()),
    lat: z.number().nullable(),
    lon: z.number().nullable(),
    isExample: z.boolean(),
    scheduleVersion: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Hamlet');

export const UserSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    displayName: z.string(),
    role: RoleSchema,
    hamletIds: z.array(z.string()),
    disabled: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('User');

export const ReceiverSchema = z
  .object({
    id: z.string(),
    hamletId: z.string(),
    name: z.string(),
    disabled: z.boolean(),
    isExample: z.boolean(),
    lastSeenAt: z.string().nullable(),
    online: z.boolean().openapi({ description: 'A heartbeat arrived within two heartbeat intervals' }),
    volume: z.number().nullable(),
    signal: z.number().nullable().openapi({ description: 'Cellular signal in dBm' }),
    appVersion: z.string().nullable(),
    freeBytes: z.number().nullable(),
    uptimeS: z.number().nullable(),
    lastState: z.record(z.string(), z.unknown()).nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Receiver');

export const listOf = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const jsonBody = <T extends z.ZodTypeAny>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export const jsonResponse = <T extends z.ZodTypeAny>(description: string, schema: T) => ({
  description,
  content: { 'application/json': { schema } },
});

/**
 * A kernel schema as a named OpenAPI component. The kernel builds its schemas with plain zod, possibly
 * before this package has added `.openapi()` to zod's schemas (it does so at import, for schemas made
 * after); a clone is made after, so it has it, whatever the order modules were loaded in.
 */
export const named = <T extends z.ZodType>(schema: T, name: string): T =>
  (schema.clone() as T & { openapi(name: string): T }).openapi(name);
