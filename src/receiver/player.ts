import type { ManifestItem } from '../domain/receiver/protocol.js';
import type { Timers } from './ports.js';

export interface PlayOutcome {
  /** The player ran to its end without error. */
  readonly ok: boolean;
  readonly detail: string | null;
}

export interface PlayHandle {
  readonly done: Promise<PlayOutcome>;
  /** Stops playback now (emergency, end of a relay, shutdown). */
  stop(): void;
}

/** How loud to play, 0–100 % of the amplifier's range (set remotely by the commune). */
export interface PlayOptions {
  readonly volume: number;
}

/** Plays a local file or a stream URL; `item` is absent for the test tone. */
export interface Player {
  play(target: string, item: ManifestItem | undefined, options?: PlayOptions): PlayHandle;
}

/** A player for simulated receivers: no sound, it "plays" for the item's duration. */
export function createSimulatedPlayer(timers: Timers): Player {
  return {
    play(_target, item) {
      let finish!: (o: PlayOutcome) => void;
      const done = new Promise<PlayOutcome>((resolve) => (finish = resolve));
      const handle = timers.setTimeout(() => finish({ ok: true, detail: null }), item?.durationMs ?? 1000);
      return {
        done,
        stop: () => {
          timers.clearTimeout(handle);
          finish({ ok: false, detail: 'stopped' });
        },
      };
    },
  };
}
