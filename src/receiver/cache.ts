import type { Manifest, ManifestItem } from '../domain/receiver/protocol.js';

export type AudioRef = NonNullable<ManifestItem['audio']>;

/** The agent's local copy of its manifest and audio. */
export interface AgentCache {
  loadManifest(): { readonly manifest: Manifest; readonly etag: string | null } | undefined;
  saveManifest(manifest: Manifest, etag: string | null): void;
  /** A local path to a copy of `audio` whose SHA-256 was just checked, fetching it if needed; null if it cannot be had now. */
  ensure(audio: AudioRef): Promise<string | null>;
  /**
   * Fetches what upcoming items need, nearest first, within the size bound; files no longer listed are
   * the first to go when space runs out.
   */
  prefetch(audios: readonly AudioRef[]): Promise<void>;
  /** Keeps the test tone as a local file for the player; returns its path. */
  writeTone(wav: Uint8Array): Promise<string>;
}

/** No files at all: a simulated receiver "has" every audio and keeps its manifest in memory. */
export function createMemoryCache(): AgentCache {
  let saved: { manifest: Manifest; etag: string | null } | undefined;
  return {
    loadManifest: () => saved,
    saveManifest: (manifest, etag) => void (saved = { manifest, etag }),
    ensure: async (audio) => `memory:${audio.sha256}`,
    prefetch: async () => {},
    writeTone: async () => 'memory:test-tone.wav',
  };
}
