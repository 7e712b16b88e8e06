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
  /**
   * The whole app, for the few page actions that must go through an API route unchanged (sign-in with its
   * rate limits, the CSV report) instead of repeating what that route does.
   */
  readonly api: (request: Request, env: object | undefined) => Response | Promise<Response>;
}
