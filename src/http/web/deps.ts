import type { Context } from 'hono';
import type { VendorSource } from './assets/index.js';
import type { Services } from '../../services/index.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { MediaStore } from '../../domain/ports/media-store.js';

export interface WebDeps {
  readonly services: Services;
  readonly media: MediaStore;
  /** Largest accepted audio upload, in bytes (the API's limit). */
  readonly uploadLimitBytes: number;
  /** "Today", "tomorrow" and "now" on the pages come from the same clock as the services'. */
  readonly clock: Clock;
  /** The caller's address, for the sign-in limits (the platform entry knows how to find it). */
  readonly clientIp: (c: Context) => string;
  /**
   * What the upload page does with a recording before sending it: `process` levels and encodes it in
   * the browser (the edge profile, whose Worker runs no ffmpeg), `shrink` makes a long WAV small for a
   * weak link (Node, which levels it on the server). Default `shrink`.
   */
  readonly browserAudio?: 'process' | 'shrink';
  /** Where ffmpeg's browser files are read from when the app serves them itself (Node). */
  readonly vendor?: VendorSource | undefined;
}
