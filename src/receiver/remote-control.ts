import {
  OnHoursSchema,
  withinOnHours,
  type CommandAck,
  type CommandMessage,
  type OnHours,
} from '../domain/receiver/command.js';
import type { AgentCache } from './cache.js';
import { HttpError } from './client.js';
import type { Player } from './player.js';
import type { PlaybackLoop } from './playback-loop.js';
import type { AgentLogger } from './ports.js';
import type { AgentStore } from './store.js';
import { testToneWav } from './tone.js';

/**
 * What the commune set on the box remotely (volume, mute, daily hours), kept in the agent's store so
 * that a restart or a power cut keeps them.
 */
export function createBoxSettings(store: AgentStore, defaultVolume: number) {
  const settings = {
    volume: (): number => Number(store.getValue('volume') ?? defaultVolume),
    muted: (): boolean => store.getValue('muted') === '1',
    onHours: (): OnHours | null => {
      const raw = store.getValue('onHours');
      if (!raw) return null;
      const parsed = OnHoursSchema.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    },
    /** Why a normal item must not play at `nowMs` (muted, outside the daily hours), or null. */
    refusal(nowMs: number): string | null {
      if (settings.muted()) return 'not played: the commune muted this receiver';
      const hours = settings.onHours();
      if (!withinOnHours(nowMs, hours)) {
        return `not played: outside the receiver's daily hours (${hours!.on}–${hours!.off})`;
      }
      return null;
    },
  };
  return settings;
}

export type BoxSettings = ReturnType<typeof createBoxSettings>;

export interface RemoteControlDeps {
  readonly store: AgentStore;
  readonly settings: BoxSettings;
  readonly cache: AgentCache;
  readonly player: Player;
  readonly logger: AgentLogger;
  /** Server time as the box best knows it (epoch ms). */
  readonly now: () => number;
  readonly track: (work: Promise<unknown>) => void;
  readonly ack: (id: string, answer: CommandAck) => Promise<void>;
  /** False while the server refuses the device token: answers wait. */
  readonly mayAnswer: () => boolean;
  /** An answer could not be sent (network): it is sent again with the next heartbeat. */
  readonly answerFailed: (error: unknown) => void;
  /** The playback loop as it is now (a restart makes a new one). */
  readonly loop: () => Pick<PlaybackLoop, 'silence' | 'replan' | 'playing'>;
  /** Fetches the whole schedule now, past its ETag; says which version the box holds. */
  readonly refresh: () => Promise<{ readonly ok: boolean; readonly detail: string }>;
  readonly restart: () => Promise<void>;
}

type Answer = { ok: boolean; result: string | null };

/**
 * The agent's side of remote control: carries out each command once (it may come by push and in a
 * heartbeat answer), and answers it; answers are kept in the store until the server takes them.
 */
export function createRemoteControl(deps: RemoteControlDeps) {
  const { store, settings } = deps;
  const answers = (): Record<string, Answer> =>
    JSON.parse(store.getValue('commandAnswers') ?? '{}') as Record<string, Answer>;
  let answering = false;
  // Commands being carried out now (a refresh, a tone): one that comes again meanwhile is not started twice.
  const running = new Set<string>();

  function sendAnswers(): void {
    if (answering || !deps.mayAnswer()) return;
    if (Object.keys(answers()).length === 0) return;
    answering = true;
    deps.track(
      (async () => {
        try {
          // Answers made while others are on their way go too, not at the next heartbeat.
          for (
            let waiting = Object.entries(answers());
            waiting.length > 0;
            waiting = Object.entries(answers())
          ) {
            for (const [id, body] of waiting) {
              try {
                await deps.ack(id, body);
              } catch (error) {
                // Refused for good (timed out, unknown): keeping it would resend it forever.
                if (!(error instanceof HttpError && (error.status === 404 || error.status === 409))) {
                  deps.answerFailed(error);
                  return;
                }
                deps.logger.warn('command answer refused by the server', { id, error: String(error) });
              }
              const rest = answers();
              delete rest[id];
              store.setValue('commandAnswers', JSON.stringify(rest));
            }
          }
        } finally {
          answering = false;
        }
      })(),
    );
  }

  /**
   * Keeps the answer, and only then marks the command done: a box that goes down before its answer is kept
   * gets the command again from the server's next heartbeat answer, and carries it out or answers it then.
   */
  function answer(id: string, ok: boolean, result: string | null): void {
    store.setValue('commandAnswers', JSON.stringify({ ...answers(), [id]: { ok, result } }));
    store.markDone(`command:${id}`, new Date(deps.now()).toISOString());
    running.delete(id);
    sendAnswers();
  }

  async function playTestTone(): Promise<{ ok: boolean; detail: string }> {
    try {
      const file = await deps.cache.writeTone(testToneWav());
      const outcome = await deps.player.play(file, undefined, { volume: settings.volume() }).done;
      return outcome.ok
        ? { ok: true, detail: `test tone played at volume ${settings.volume()}%` }
        : { ok: false, detail: `test tone failed: ${outcome.detail ?? 'player error'}` };
    } catch (error) {
      return { ok: false, detail: `test tone failed: ${String(error)}` };
    }
  }

  /**
   * Carries out a command once, then answers it. Marked done with its answer, not before: the settings,
   * the refresh and the restart (answered before it goes) are safe to carry out again after a power cut;
   * a test tone is not, so its start is kept and a tone cut off is answered as such.
   */
  function obey(command: CommandMessage): void {
    const key = `command:${command.id}`;
    if (running.has(command.id) || store.isDone(key) || command.id in answers()) return;
    const at = new Date(deps.now()).toISOString();
    // Past its deadline the office already shows it timed out: muting now would surprise everyone.
    if (Date.parse(command.expiresAt) <= deps.now()) {
      store.markDone(key, at);
      deps.logger.warn('command past its deadline; not carried out', { id: command.id, kind: command.kind });
      return;
    }
    running.add(command.id);
    deps.logger.info('command from the commune', { id: command.id, kind: command.kind });
    const done = (ok: boolean, result: string | null) => answer(command.id, ok, result);
    switch (command.kind) {
      case 'volume': {
        const volume = command.args.volume ?? settings.volume();
        store.setValue('volume', String(volume));
        return done(true, `volume ${volume}%`);
      }
      case 'mute':
        store.setValue('muted', '1');
        deps.loop().silence();
        return done(true, 'muted');
      case 'unmute':
        store.setValue('muted', '0');
        return done(true, `unmuted, volume ${settings.volume()}%`);
      case 'hours': {
        const hours = command.args.hours ?? null;
        store.setValue('onHours', hours ? JSON.stringify(hours) : '');
        deps.loop().replan();
        return done(
          true,
          hours ? `daily hours ${hours.on}–${hours.off} (${hours.timeZone})` : 'daily hours lifted',
        );
      }
      case 'refresh':
        deps.track(deps.refresh().then(({ ok, detail }) => done(ok, detail)));
        return;
      case 'restart': {
        // A restart stops the player: an emergency on the air would be cut off and not played again.
        const playing = deps.loop().playing();
        if (playing?.priority === 'emergency')
          return done(false, `not restarted: an emergency is playing (${playing.title})`);
        // Answered first: the restart forgets nothing, but the answer must not wait for it.
        done(true, 'restarting the agent');
        deps.track(deps.restart());
        return;
      }
      case 'test_tone': {
        if (store.isDone(`${key}:started`))
          return done(false, 'test tone cut off: the receiver went down while it played');
        // The tone would play over what is on the air, or take the sound card from it.
        const playing = deps.loop().playing();
        if (playing) return done(false, `no test tone: something is playing (${playing.title})`);
        store.markDone(`${key}:started`, at);
        deps.track(playTestTone().then(({ ok, detail }) => done(ok, detail)));
        return;
      }
    }
  }

  return { obey, sendAnswers };
}
