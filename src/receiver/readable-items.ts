import { z } from 'zod';
import {
  ManifestItemSchema,
  ManifestSchema,
  PlayMessageSchema,
  type Manifest,
  type ManifestItem,
} from '../domain/receiver/protocol.js';

// The protocol's schemas stay strict (they document what the server sends); the agent reads items one by one.
const LenientManifest = ManifestSchema.extend({ items: z.array(z.unknown()) });
const LenientPlayMessage = PlayMessageSchema.extend({ items: z.array(z.unknown()) });

/** An item this agent cannot read: the part of it that says which, and why. */
export interface SkippedItem {
  readonly occurrenceId: unknown;
  readonly part: unknown;
  readonly error: string;
}

/**
 * The items this agent can read, and those it cannot: a newer server's item kind, audio format or priority
 * is passed over, not the whole manifest (the rest still plays, as unknown commands are passed over).
 */
export function readItems(raw: readonly unknown[]): {
  readonly items: ManifestItem[];
  readonly skipped: SkippedItem[];
} {
  const items: ManifestItem[] = [];
  const skipped: SkippedItem[] = [];
  for (const candidate of raw) {
    const known = ManifestItemSchema.safeParse(candidate);
    if (known.success) items.push(known.data);
    else {
      const { occurrenceId, part } = (candidate ?? {}) as { occurrenceId?: unknown; part?: unknown };
      skipped.push({ occurrenceId, part, error: z.prettifyError(known.error).replaceAll('\n', '; ') });
    }
  }
  return { items, skipped };
}

/** A manifest whose items are read one by one: see `readItems`. */
export function readManifest(data: unknown): {
  readonly manifest: Manifest;
  readonly skipped: SkippedItem[];
} {
  const lenient = LenientManifest.parse(data);
  const { items, skipped } = readItems(lenient.items);
  return { manifest: { ...lenient, items }, skipped };
}

/** A pushed `play` whose items are read one by one; none readable gives no items. */
export function readPlayMessage(data: unknown): {
  readonly occurrenceId: string;
  readonly items: ManifestItem[];
  readonly skipped: SkippedItem[];
} {
  const lenient = LenientPlayMessage.parse(data);
  return { occurrenceId: lenient.occurrenceId, ...readItems(lenient.items) };
}
