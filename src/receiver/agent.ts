import { CommandMessageSchema } from '../domain/receiver/command.js';
import { ScheduleMessageSchema, StopMessageSchema, type Manifest } from '../domain/receiver/protocol.js';
import { BRIEF_CHANNEL_MS, PUSH_SILENCE_MS, reconnectMs, type ChannelEnd } from './backoff.js';
import { createProtocolClient, HttpError } from './client.js';
import { createCorrectedClock } from './corrected-clock.js';
import { createLogDelivery } from './log-delivery.js';
import { createPlaybackLoop } from './playback-loop.js';
import { silentLogger, systemClock, systemTimers } from './ports.js';
import { readPlayMessage, type SkippedItem } from './readable-items.js';
import { readSse, type SseEvent } from './sse-parser.js';
import { createBoxSettings, createRemoteControl } from './remote-control.js';
import type { AgentOptions, AgentStatus } from './agent-options.js';

/**
 * The receiver agent: keeps the manifest and audio in its cache, plays on time by the server-corrected
 * clock with or without a network, pushes emergencies through, and delivers its log exactly once
 * (durable queue + idempotent server). All time comes from `clock` and `timers`.
 */
export function createAgent(options: AgentOptions) {
  const local = options.clock ?? systemClock;
  // Elapsed time, not the wall clock: NTP setting the box's clock must not make a channel look long-lived.
  const elapsed = () => local.monotonic?.() ?? local.now();
  const timers = options.timers ?? systemTimers;
  const random = options.random ?? Math.random;
  const logger = options.logger ?? silentLogger;
  const pollMs = options.pollMs ?? 60_000;
  const ssePollMs = options.ssePollMs ?? 15 * 60_000;
  const heartbeatMs = options.heartbeatMs ?? 60_000;
  const pushSilenceMs = options.pushSilenceMs ?? PUSH_SILENCE_MS;
  const { store, cache } = options;
  const clock = createCorrectedClock(local, Number(store.getValue('clockOffsetMs') ?? 0));
  const client = createProtocolClient({
    server: options.server,
    token: options.token,
    fetch: options.fetch ?? fetch,
    clock: local,
  });

  const work = {
    task: new Set<Promise<unknown>>(),
    audio: new Set<Promise<unknown>>(),
    relay: new Set<Promise<unknown>>(),
  };
  const track = (p: Promise<unknown>, kind: keyof typeof work = 'task') => {
    const guarded = p.catch((error: unknown) => logger.warn('agent task failed', { error: String(error) }));
    work[kind].add(guarded);
    void guarded.finally(() => work[kind].delete(guarded));
  };

  let manifest: Manifest | undefined;
  let etag: string | null = null;
  let online = false;
  let unauthorized = false;
  let pushConnected = false;
  let stopped = false;
  let syncing: Promise<void> | undefined;
  let syncAgain = false;
  let pushAttempt = 0;
  let pushAbort: AbortController | undefined;
  const handles: Record<'poll' | 'beat' | 'push' | 'silence', unknown> = {
    poll: undefined,
    beat: undefined,
    push: undefined,
    silence: undefined,
  };
  const arm = (name: keyof typeof handles, fn: () => void, ms: number) => {
    timers.clearTimeout(handles[name]);
    handles[name] = stopped ? undefined : timers.setTimeout(fn, Math.min(ms, 2 ** 31 - 1));
  };

  const delivery = createLogDelivery({
    store,
    send: (events) => client.logs(events),
    batchSize: options.logBatchSize ?? 500,
    timers,
    random,
    logger,
    track,
    mayDeliver: () => online && !unauthorized,
    stopped: () => stopped,
    answered: () => void (online = true),
    failed: (error) => failed('log delivery', error),
  });
  const flushSoon = () => delivery.soon();

  // The box's settings from the commune's commands, kept across restarts and power cuts.
  const settings = createBoxSettings(store, options.volume ?? 80);
  const newLoop = () =>
    createPlaybackLoop({
      now: clock.now,
      timers,
      store,
      cache,
      player: options.player,
      resolveHost: options.resolveHost,
      logger,
      lateToleranceMs: options.lateToleranceMs ?? 10 * 60_000,
      onEvent: () => flushSoon(),
      track,
      volume: settings.volume,
      refusal: () => settings.refusal(clock.now()),
    });
  let loop = newLoop();
  let restarts = 0;

  let savedOffsetMs = clock.offsetMs();
  function observe(answer: { serverTime: string | null; sentAt: number; receivedAt: number }): void {
    online = true;
    if (!answer.serverTime) return;
    const changed = clock.observe(answer.serverTime, answer.sentAt, answer.receivedAt);
    // Also kept when a step of the box's clock moved it since the last answer: a restart starts from it.
    if (changed || Math.abs(clock.offsetMs() - savedOffsetMs) > 1000) {
      savedOffsetMs = clock.offsetMs();
      store.setValue('clockOffsetMs', String(savedOffsetMs));
    }
    if (changed) loop.replan();
  }

  function failed(what: string, error: unknown): void {
    if (error instanceof HttpError && error.status === 401) {
      if (!unauthorized)
        logger.warn('the server refused the device token; playing on from the cache', { what });
      unauthorized = true;
    } else {
      online = false;
    }
    logger.info(`${what} failed`, { error: String(error) });
  }

  /** Items of a newer server this agent cannot read (a new kind, audio format, priority) are logged. */
  function passedOver(where: string, skipped: readonly SkippedItem[]): void {
    if (skipped.length > 0)
      logger.warn(`${where} items this agent cannot read; passed over, the rest plays`, {
        count: skipped.length,
        items: skipped.slice(0, 10),
      });
  }

  function prefetch(): void {
    if (!manifest) return;
    const from = clock.now() - (options.lateToleranceMs ?? 10 * 60_000);
    const audios = manifest.items.flatMap((i) => (i.audio && Date.parse(i.at) >= from ? [i.audio] : []));
    track(
      cache
        .prefetch(audios)
        .catch((error: unknown) => logger.info('prefetch stopped', { error: String(error) })),
    );
  }

  /** One schedule request: true when the server answered (a manifest or a 304). */
  async function fetchSchedule(): Promise<boolean> {
    try {
      const answer = await client.schedule(etag);
      unauthorized = false;
      observe(answer);
      if (answer.manifest) {
        passedOver('schedule', answer.skipped);
        manifest = answer.manifest;
        etag = answer.etag;
        cache.saveManifest(manifest, etag);
        loop.setItems(manifest.items);
      }
      prefetch();
      flushSoon();
      return true;
    } catch (error) {
      failed('schedule sync', error);
      return false;
    }
  }

  /**
   * Fetches the schedule; a call while a fetch is in flight is folded into one more fetch after it, since
   * the answer on its way may have been read before the change the caller heard of (a push, a heartbeat).
   */
  function sync(): Promise<void> {
    if (syncing) {
      syncAgain = true;
      return syncing;
    }
    syncing = (async () => {
      try {
        do syncAgain = false;
        while ((await fetchSchedule()) && syncAgain && !stopped);
      } finally {
        syncing = undefined;
        arm('poll', () => void sync(), pushConnected ? ssePollMs : pollMs);
      }
    })();
    track(syncing);
    return syncing;
  }

  async function heartbeat(): Promise<void> {
    arm('beat', () => track(heartbeat()), heartbeatMs);
    try {
      const vital = (await options.readStatus?.()) ?? { signal: null, freeBytes: 0, uptimeS: 0 };
      const answer = await client.heartbeat({
        ...vital,
        // What the amplifier is set to: 0 while muted.
        volume: settings.muted() ? 0 : settings.volume(),
        appVersion: options.appVersion ?? '0.0.0',
        ...(manifest && { scheduleVersion: manifest.version }),
        pendingEvents: store.pending(),
      });
      observe(answer);
      // A cheap push of its own: the answer says whether the schedule moved on.
      if (answer.scheduleVersion !== manifest?.version) void sync();
      for (const command of answer.commands ?? []) remote.obey(command);
      remote.sendAnswers();
      flushSoon();
    } catch (error) {
      failed('heartbeat', error);
    }
  }

  const remote = createRemoteControl({
    store,
    settings,
    cache,
    player: options.player,
    logger,
    now: clock.now,
    track,
    ack: (id, answer) => client.ack(id, answer),
    mayAnswer: () => !unauthorized,
    answerFailed: (error) => failed('command answer', error),
    loop: () => loop,
    refresh: async () => {
      etag = null;
      await sync();
      return online && !unauthorized
        ? { ok: true, detail: `schedule version ${manifest?.version ?? 'none'}` }
        : { ok: false, detail: 'the schedule could not be fetched' };
    },
    restart: () => restart(),
  });

  /** Stops everything and forgets it: a delivery's retry left as armed keeps every later one from starting. */
  function stopAll(): void {
    stopped = true;
    for (const name of Object.keys(handles) as (keyof typeof handles)[]) {
      timers.clearTimeout(handles[name]);
      handles[name] = undefined;
    }
    delivery.cancel();
    pushAbort?.abort();
    loop.shutdown();
  }

  /** Stops everything the agent runs and starts it again from its store and cache, as after a reboot. */
  async function restart(): Promise<void> {
    stopAll();
    // Let the answer to the command leave before the work in flight is waited for.
    await Promise.allSettled([...work.audio, ...work.relay]);
    stopped = false;
    pushConnected = false;
    restarts += 1;
    loop = newLoop();
    agent.start();
  }

  function onPush(event: SseEvent): void {
    try {
      if (event.event === 'schedule') {
        if (ScheduleMessageSchema.parse(JSON.parse(event.data)).version !== manifest?.version) void sync();
      } else if (event.event === 'play') {
        const play = readPlayMessage(JSON.parse(event.data), options.server);
        passedOver('pushed emergency', play.skipped);
        if (play.items.length > 0) loop.emergency(play.items);
      } else if (event.event === 'stop') {
        loop.stop(StopMessageSchema.parse(JSON.parse(event.data)).occurrenceId);
      } else if (event.event === 'command') {
        remote.obey(CommandMessageSchema.parse(JSON.parse(event.data)));
      }
    } catch (error) {
      logger.warn('unreadable push event', { event: event.event, error: String(error) });
    }
  }

  function connectPush(): void {
    if (stopped || options.sse === false) return;
    const abort = new AbortController();
    pushAbort = abort;
    // A channel of the agent before a restart must not arm a second one when it ends.
    const generation = restarts;
    // A vanished server leaves the stream open and silent, with no error; the server's keep-alives prove it
    // is there. Watched from the request on, so that a server that never answers is left too.
    const watch = () => {
      if (pushAbort !== abort || pushSilenceMs === Infinity) return;
      arm(
        'silence',
        () => {
          logger.warn('push channel silent; connecting again', { silentMs: pushSilenceMs });
          abort.abort();
        },
        pushSilenceMs,
      );
    };
    const pushLost = (what: string, error: unknown, end: ChannelEnd) => {
      if (pushAbort === abort) {
        timers.clearTimeout(handles.silence);
        handles.silence = undefined;
      }
      if (generation === restarts) channelLost(what, error, end);
    };
    watch();
    const opened = client.events(abort.signal).then(
      (body) => {
        watch();
        pushConnected = true;
        online = true;
        const openedAt = elapsed();
        // Fetched again on every (re)connect: a box moved to another hamlet (its channel is closed) may
        // find the same version number there, and only the ETag tells the two apart (a 304 otherwise).
        void sync();
        // The failures in a row are counted on until a channel lives a normal time: one closed as soon as it
        // opened is a failed attempt too.
        const ended = (retryMs: number | undefined): ChannelEnd => {
          const livedMs = elapsed() - openedAt;
          if (livedMs >= BRIEF_CHANNEL_MS) pushAttempt = 0;
          if (retryMs !== undefined) return { kind: 'hinted', retryMs };
          if (livedMs >= BRIEF_CHANNEL_MS) return { kind: 'dropped' };
          if (pushAbort === abort && !stopped)
            logger.warn('push channel closed soon after it opened; backing off', {
              livedMs,
              attempt: pushAttempt,
            });
          return { kind: 'failed', attempt: pushAttempt++ };
        };
        void readSse(body, onPush, watch).then(
          ({ retryMs }): void => pushLost('push channel closed', undefined, ended(retryMs)),
          () => pushLost('push channel closed', undefined, ended(undefined)),
        );
      },
      (error: unknown) => pushLost('push channel', error, { kind: 'failed', attempt: pushAttempt++ }),
    );
    track(opened);
  }

  function channelLost(what: string, error: unknown, end: ChannelEnd): void {
    if (stopped) return;
    if (error !== undefined) failed(what, error);
    pushConnected = false;
    // Fall back to polling until the channel is back.
    arm('poll', () => void sync(), pollMs);
    arm('push', connectPush, unauthorized ? pollMs : reconnectMs(end, random));
  }

  const agent = {
    /** Plays from the cached manifest at once, then syncs, listens and reports in the background. */
    start(): void {
      const cached = cache.loadManifest();
      if (cached) {
        manifest = cached.manifest;
        etag = cached.etag;
        loop.setItems(manifest.items);
      }
      store.pruneDone(new Date(clock.now() - 3 * 86_400_000).toISOString());
      void sync();
      connectPush();
      arm('beat', () => track(heartbeat()), heartbeatMs);
      track(heartbeat());
    },

    /**
     * Resolves when nothing is in flight: requests, downloads, and players of audio files (which end by
     * themselves). Relays end by a timer, so they count only when asked; push reading never counts.
     */
    async whenIdle(options: { audio?: boolean; relays?: boolean } = {}): Promise<void> {
      for (;;) {
        const pending = [
          ...work.task,
          ...(options.audio === false ? [] : work.audio),
          ...(options.relays ? work.relay : []),
        ];
        if (pending.length === 0) return;
        await Promise.allSettled(pending);
      }
    },

    status(): AgentStatus {
      return {
        online,
        pushConnected,
        unauthorized,
        scheduleVersion: manifest?.version ?? null,
        etag,
        clockOffsetMs: clock.offsetMs(),
        pendingEvents: store.pending(),
        playing: loop.playing()?.occurrenceId ?? null,
        delivered: delivery.delivered(),
        volume: settings.volume(),
        muted: settings.muted(),
        onHours: settings.onHours(),
        restarts,
      };
    },

    sync,
    flush: () => delivery.flush(),

    async stop(): Promise<void> {
      stopAll();
      await this.whenIdle({ relays: true });
    },
  };
  return agent;
}

export type Agent = ReturnType<typeof createAgent>;
