import type { RequestContext } from '../domain/actor.js';
import { assertAllowed } from '../domain/policy.js';
import type { Clock } from '../domain/ports/clock.js';
import type { EventBus, LoaEvent } from '../domain/ports/events.js';
import type { IdGenerator } from '../domain/ports/ids.js';
import type { Repositories, UnitOfWork } from '../domain/ports/repositories.js';
import {
  DEFAULT_ALARM_RULES,
  diffAlarms,
  type AlarmCause,
  type AlarmRules,
  type ReceiverAlarm,
} from '../domain/receiver/alarm.js';
import { HEARTBEAT_INTERVAL_S } from '../domain/receiver/health.js';
import type { WebhookOutbox } from './webhook-events.js';

interface Deps {
  readonly repos: Pick<Repositories, 'receiverAlarms'>;
  readonly tx: UnitOfWork;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly bus: EventBus;
  readonly webhooks: WebhookOutbox;
  readonly rules?: AlarmRules | undefined;
  readonly heartbeatIntervalS?: number | undefined;
}

const mb = (bytes: number) => `${Math.round(bytes / 1_048_576)} MB`;

/**
 * Alarms of the boxes: each dispatcher tick finds the receivers whose heartbeats stopped for N intervals,
 * whose storage is low or whose playbacks failed twice in a row, raises an alarm for each new cause and
 * clears those whose cause is gone, with the province's `receiver.alarm` and `receiver.alarm_cleared`
 * webhooks in the same unit of work, then tells the event bus.
 */
export function createReceiverAlarmsService(deps: Deps) {
  const rules = deps.rules ?? DEFAULT_ALARM_RULES;
  const intervalMs = (deps.heartbeatIntervalS ?? HEARTBEAT_INTERVAL_S) * 1000;
  const repo = deps.repos.receiverAlarms;

  async function causes(nowMs: number): Promise<AlarmCause[]> {
    const silentFor = rules.missedHeartbeats * intervalMs;
    const [silent, low, failing] = await Promise.all([
      repo.listSilentSince(new Date(nowMs - silentFor).toISOString()),
      repo.listLowStorage(rules.lowStorageBytes),
      repo.listFailingPlayback(rules.playbackFailures),
    ]);
    const now = new Date(nowMs).toISOString();
    return [
      ...silent.map((s) => ({
        receiverId: s.receiverId,
        kind: 'missed_heartbeats' as const,
        since: new Date(Date.parse(s.lastSeenAt) + silentFor).toISOString(),
        detail: `no heartbeat for ${rules.missedHeartbeats} intervals since ${s.lastSeenAt}`,
      })),
      ...low.map((l) => ({
        receiverId: l.receiverId,
        kind: 'low_storage' as const,
        since: l.lastSeenAt,
        detail: `${mb(l.freeBytes)} free, below ${mb(rules.lowStorageBytes)}`,
      })),
      ...failing.map((f) => ({
        receiverId: f.receiverId,
        kind: 'playback_failing' as const,
        since: now,
        detail: `${f.failures} playbacks failed in a row`,
      })),
    ];
  }

  return {
    rules,

    /** One pass: raises and clears alarms at the clock's time; returns what changed. */
    async evaluate(): Promise<{ raised: number; cleared: number }> {
      const nowMs = deps.clock.now().getTime();
      const now = new Date(nowMs).toISOString();
      const [open, found] = await Promise.all([repo.listOpenAlarms(), causes(nowMs)]);
      const { raise, clear } = diffAlarms(open, found);
      if (raise.length === 0 && clear.length === 0) return { raised: 0, cleared: 0 };
      const raised: ReceiverAlarm[] = raise.map((c) => ({
        id: deps.ids.id(),
        receiverId: c.receiverId,
        kind: c.kind,
        startedAt: c.since,
        clearedAt: null,
        detail: c.detail,
      }));
      // Only what this pass wrote is told: another dispatcher that got there first told its own. The webhooks
      // are written with the alarms: after a crash past the commit, the next pass would see nothing new.
      const told = await deps.tx(async (r) => {
        const inserted = new Set(await r.receiverAlarms.insertAlarms(raised));
        const cleared = new Set(
          await r.receiverAlarms.clearAlarms(
            clear.map((a) => a.id),
            now,
          ),
        );
        const changed = [
          ...raised.filter((a) => inserted.has(a.id)).map((alarm) => ({ alarm, state: 'raised' as const })),
          ...clear.filter((a) => cleared.has(a.id)).map((alarm) => ({ alarm, state: 'cleared' as const })),
        ];
        const subjects = new Map(
          (await r.receiverAlarms.findSubjects([...new Set(changed.map((c) => c.alarm.receiverId))])).map(
            (s) => [s.receiverId, s],
          ),
        );
        const facts = changed.flatMap(({ alarm, state }): LoaEvent[] => {
          const subject = subjects.get(alarm.receiverId);
          if (!subject) return [];
          return [
            {
              type: 'receiver-alarm',
              state,
              alarmId: alarm.id,
              kind: alarm.kind,
              detail: alarm.detail,
              startedAt: alarm.startedAt,
              clearedAt: state === 'cleared' ? now : null,
              ...subject,
            },
          ];
        });
        await deps.webhooks.record(r, facts);
        return { raised: inserted.size, cleared: cleared.size, facts };
      });
      for (const fact of told.facts) deps.bus.publish(fact);
      return { raised: told.raised, cleared: told.cleared };
    },

    /** The commune's open alarms, oldest first (the monitor page). */
    async listOpen(ctx: RequestContext): Promise<readonly ReceiverAlarm[]> {
      assertAllowed(ctx.actor, 'receiver.read', 'commune');
      return repo.listCommuneOpenAlarms(ctx.actor.communeId);
    },
  };
}

export type ReceiverAlarmsService = ReturnType<typeof createReceiverAlarmsService>;
