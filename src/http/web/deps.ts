import type { Context } from 'hono';
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
}
