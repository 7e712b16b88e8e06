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
 * Why the box will not fetch this audio URL, or null. The server names its own `/media/…` (a redirect
 * from there, to a bucket's presigned link, is followed); a URL on another host would have every box of
 * the commune fetch whatever it names, inside the box's network too (the SHA-256 check comes only after).
 * @example foreignAudio('/media/ab….mp3', 'https://loa.example.vn') // → null
 */
export function foreignAudio(url: string, server: string): string | null {
  const origin = new URL(server).origin;
  let target: URL;
  try {
    target = new URL(url, `${origin}/`);
  } catch {
    return `audio URL refused: not a URL (${url.slice(0, 100)})`;
  }
  return target.origin === origin
    ? null
    : `audio URL refused: ${target.origin} is not the server (${origin}); only its own media are fetched`;
}

/**
 * The items this agent can read, and those it cannot: a newer server's item kind, audio format or priority
 * is passed over, not the whole manifest (the rest still plays, as unknown commands are passed over). With
 * `server`, an item whose audio is on another host is passed over too (`foreignAudio`).
 */
export function readItems(
  raw: readonly unknown[],
  server?: string,
): {
  readonly items: ManifestItem[];
  readonly skipped: SkippedItem[];
} {
  const items: ManifestItem[] = [];
  const skipped: SkippedItem[] = [];
  for (const candidate of raw) {
    const known = ManifestItemSchema.safeParse(candidate);
    const error = !known.success
      ? z.prettifyError(known.error).replaceAll('\n', '; ')
      : known.data.audio && server
        ? foreignAudio(known.data.audio.url, server)
        : null;
    if (known.success && error === null) items.push(known.data);
    else {
      const { occurrenceId, part } = (candidate ?? {}) as { occurrenceId?: unknown; part?: unknown };
      skipped.push({ occurrenceId, part, error: error! });
    }
  }
  return { items, skipped };
}

/** A manifest whose items are read one by one: see `readItems`. */
export function readManifest(
  data: unknown,
  server?: string,
): {
  readonly manifest: Manifest;
  readonly skipped: SkippedItem[];
} {
  const lenient = LenientManifest.parse(data);
  const { items, skipped } = readItems(lenient.items, server);
  return { manifest: { ...lenient, items }, skipped };
}

/** A pushed `play` whose items are read one by one; none readable gives no items. */
export function readPlayMessage(
  data: unknown,
  server: string,
): {
  readonly occurrenceId: string;
  readonly items: ManifestItem[];
  readonly skipped: SkippedItem[];
} {
  const lenient = LenientPlayMessage.parse(data);
  return { occurrenceId: lenient.occurrenceId, ...readItems(lenient.items, server) };
}
