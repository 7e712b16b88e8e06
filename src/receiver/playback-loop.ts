import { INTERRUPTION_DETAILS, type LogEvent, type ManifestItem } from '../domain/receiver/protocol.js';
import type { AgentCache } from './cache.js';
import { itemKey, planNext, preempts } from './planner.js';
import type { PlayHandle, Player } from './player.js';
import type { AgentLogger, ResolveHost, Timers } from './ports.js';
import { relayRefusal } from './relay-check.js';
import type { AgentStore } from './store.js';

/** Longest single timer: the plan is re-checked at least this often, so clock changes are noticed. */
const MAX_WAIT_MS = 5 * 60_000;

type StopReason = 'preempted' | 'stopped' | 'offAir' | 'muted' | 'relay-end' | 'shutdown';

const stopDetail: Record<Exclude<StopReason, 'relay-end'>, string> = INTERRUPTION_DETAILS;

export interface PlaybackLoopDeps {
  /** Server time as the box best knows it (epoch ms). */
  readonly now: () => number;
  readonly timers: Timers;
  readonly store: AgentStore;
  readonly cache: AgentCache;
  readonly player: Player;
  /** Looks up a relay's host before it plays, so a name that points inside the network is refused. */
  readonly resolveHost: ResolveHost;
  readonly logger: AgentLogger;
  readonly lateToleranceMs: number;
  /** Called after an event was queued, so it can be delivered. */
  readonly onEvent: () => void;
  /** The volume set by the commune, 0–100, for each item as it starts. */
  readonly volume: () => number;
  /**
   * Why an item must not play now (muted, outside the daily on-hours), or null. Emergencies are never
   * asked: they play whatever the box's settings.
   */
  readonly refusal: (item: ManifestItem) => string | null;
  /** Registers work in flight: preparing an item, or a player that ends by itself or by a relay timer. */
  readonly track: (work: Promise<unknown>, kind: 'task' | 'audio' | 'relay') => void;
}

/**
 * Plays the manifest at its times: one item at a time, emergencies first and over anything else, each
 * item at most once (handled items are stored, so a restart does not replay them), and every start,
 * end, failure and skip queued as a log event.
 */
export function createPlaybackLoop(deps: PlaybackLoopDeps) {
  const { timers, store } = deps;
  let items: readonly ManifestItem[] = [];
  let urgent: ManifestItem[] = [];
  // `stoppedAt`: when the agent decided to stop it, which is when it stopped on air.
  let current:
    { item: ManifestItem; handle?: PlayHandle; reason?: StopReason; stoppedAt?: number } | undefined;
  let timer: unknown;
  let shut = false;
  // Items whose audio is being fetched: handled once they start or fail. Kept in memory only, so an item a
  // power cut caught downloading is planned again after the restart, not lost unreported.
  const preparing = new Set<string>();
  const handled = (key: string) => preparing.has(key) || store.isDone(key);

  const iso = (ms: number) => new Date(ms).toISOString();
  const log = (item: ManifestItem, type: LogEvent['type'], detail: string | null, at = deps.now()) => {
    // The server takes details up to 500 characters.
    const short = detail === null ? null : detail.slice(0, 500);
    // A start names the file it plays: the cache checked it against this SHA-256 before handing it over,
    // so the office can prove which recording aired.
    const sha256 = type === 'started' && item.audio ? item.audio.sha256 : undefined;
    store.enqueue({
      id: crypto.randomUUID(),
      occurrenceId: item.occurrenceId,
      type,
      at: iso(at),
      detail: short,
      ...(sha256 && { sha256 }),
    });
    deps.onEvent();
  };

  function arm(ms: number): void {
    timer = timers.setTimeout(replan, Math.min(Math.max(0, ms), MAX_WAIT_MS));
  }

  function stopCurrent(reason: StopReason): void {
    if (!current || current.reason) return;
    current.reason = reason;
    current.stoppedAt = deps.now();
    if (current.handle) current.handle.stop();
    // Still fetching its audio (up to minutes on a weak link): it gives way now, and logs its failure once
    // the fetch ends (but for a shutdown: the agent's next start plans it again).
    else current = undefined;
  }

  function replan(): void {
    if (shut) return;
    timers.clearTimeout(timer);
    timer = undefined;
    const now = deps.now();
    urgent = urgent.filter((i) => !handled(itemKey(i)));
    const { skip, next, wakeAt } = planNext(items, handled, now, deps.lateToleranceMs);
    for (const item of skip) {
      store.markDone(itemKey(item), iso(now));
      log(item, 'skipped', 'not played: its time passed while the receiver was off or busy');
    }
    const candidate = urgent[0] ?? (next.kind === 'play' ? next.item : undefined);
    if (current && candidate && preempts(candidate, current.item)) stopCurrent('preempted');
    if (!current && candidate) start(candidate);
    // Looked at again when the next item comes due, even while one plays: an emergency repeat that only the
    // manifest carries must stop an hour-long relay.
    if (timer === undefined && !shut && wakeAt !== undefined) arm(wakeAt - now);
  }

  function finish(
    item: ManifestItem,
    stop: { reason?: StopReason; stoppedAt?: number },
    outcome: { ok: boolean; detail: string | null },
  ) {
    const { reason, stoppedAt } = stop;
    if (reason === 'relay-end') log(item, 'completed', null, stoppedAt);
    else if (reason) log(item, 'failed', stopDetail[reason], stoppedAt);
    else if (item.kind === 'relay')
      log(item, 'failed', `the stream ended before its time${outcome.detail ? `: ${outcome.detail}` : ''}`);
    else log(item, outcome.ok ? 'completed' : 'failed', outcome.detail);
  }

  function start(item: ManifestItem): void {
    const refusal = item.priority === 'emergency' ? null : deps.refusal(item);
    if (refusal) {
      store.markDone(itemKey(item), iso(deps.now()));
      log(item, 'skipped', refusal);
      replan();
      return;
    }
    const key = itemKey(item);
    preparing.add(key);
    const entry: NonNullable<typeof current> = { item };
    current = entry;
    const handledNow = () => {
      store.markDone(key, iso(deps.now()));
      preparing.delete(key);
    };
    const done = () => {
      if (current === entry) current = undefined;
      replan();
    };
    const prepare = (async () => {
      const refusal = item.kind === 'relay' ? await relayRefusal(item.relay!.url, deps.resolveHost) : null;
      // A relay goes to the player as the check read it (WHATWG's `href`): ffmpeg's own parser finds
      // another host in some texts (`http://radio.vn\@10.0.0.5/` connects to 10.0.0.5).
      const target =
        item.kind === 'relay'
          ? refusal
            ? null
            : new URL(item.relay!.url).href
          : await deps.cache.ensure(item.audio!);
      // The agent stopped while this was being prepared: it is not handled here, and no failure is told;
      // the agent restarted (or started again after a power cut) plans it afresh.
      if (entry.reason === 'shutdown') {
        preparing.delete(key);
        return undefined;
      }
      handledNow();
      if (refusal) {
        deps.logger.warn('relay refused', { occurrenceId: item.occurrenceId, detail: refusal });
        log(item, 'failed', refusal);
        return undefined;
      }
      if (entry.reason) {
        log(item, 'failed', stopDetail[entry.reason as Exclude<StopReason, 'relay-end'>]);
        return undefined;
      }
      if (!target) {
        log(item, 'failed', 'audio not available: not in the cache and it could not be fetched');
        return undefined;
      }
      log(item, 'started', null);
      return deps.player.play(target, item, { volume: deps.volume() });
    })();
    deps.track(prepare, 'task');
    prepare.then(
      (handle) => {
        if (!handle) return done();
        entry.handle = handle;
        if (entry.reason) handle.stop();
        let relayTimer: unknown;
        if (item.kind === 'relay') {
          const remaining = Date.parse(item.at) + item.durationMs - deps.now();
          relayTimer = timers.setTimeout(() => {
            if (current === entry) stopCurrent('relay-end');
          }, remaining);
        }
        const played = handle.done.then((outcome) => {
          timers.clearTimeout(relayTimer);
          finish(item, entry, outcome);
          done();
        });
        deps.track(played, item.kind === 'relay' ? 'relay' : 'audio');
      },
      (error: unknown) => {
        handledNow();
        deps.logger.warn('playback failed', { occurrenceId: item.occurrenceId, error: String(error) });
        log(item, 'failed', `agent error: ${String(error)}`);
        done();
      },
    );
  }

  return {
    /** The manifest changed (or the clock did): plan again. */
    setItems(next: readonly ManifestItem[]): void {
      items = next;
      replan();
    },
    replan,
    /** An emergency pushed by the server: play it now, over anything but another emergency. */
    emergency(pushed: readonly ManifestItem[]): void {
      const known = new Set(urgent.map(itemKey));
      urgent = [...urgent, ...pushed.filter((i) => !handled(itemKey(i)) && !known.has(itemKey(i)))];
      replan();
    },
    /**
     * The commune took an occurrence off the air (rejected, withdrawn, cancelled), or cancelled an emergency
     * (`null`: whichever is playing, and any pushed one still waiting).
     */
    stop(occurrenceId: string | null): void {
      const playing = current?.item;
      const target = occurrenceId ?? (playing?.priority === 'emergency' ? playing.occurrenceId : undefined);
      if (occurrenceId === null) urgent = [];
      if (target === undefined) return;
      // None of its parts may start from a manifest that still lists them.
      for (const item of [...items, ...urgent]) {
        if (item.occurrenceId === target) store.markDone(itemKey(item), iso(deps.now()));
      }
      if (playing?.occurrenceId === target)
        stopCurrent(playing.priority === 'emergency' ? 'stopped' : 'offAir');
      replan();
    },
    /** The box was muted: what plays stops now, unless it is an emergency. */
    silence(): void {
      if (current && current.item.priority !== 'emergency') stopCurrent('muted');
    },
    playing: (): ManifestItem | undefined => current?.item,
    shutdown(): void {
      shut = true;
      timers.clearTimeout(timer);
      stopCurrent('shutdown');
    },
  };
}

export type PlaybackLoop = ReturnType<typeof createPlaybackLoop>;
