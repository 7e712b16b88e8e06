import type { Clock } from '../domain/ports/clock.js';
import type { LoaEvent } from '../domain/ports/events.js';
import type { IdGenerator } from '../domain/ports/ids.js';
import type { Repositories } from '../domain/ports/repositories.js';
import { onlineWindowMs } from '../domain/receiver/health.js';
import type { WebhookEventRecord, WebhookPayload } from '../domain/webhook.js';

/** A fact, as the event bus carries it, as a webhook event of its province, with the key that makes it once. */
export function webhookEventOf(
  event: LoaEvent,
): { provinceId: string; dedupeKey: string; payload: WebhookPayload; communeId: string } | null {
  if (event.type === 'receiver-offline') {
    const offlineSince = new Date(Date.parse(event.lastSeenAt) + onlineWindowMs()).toISOString();
    return {
      provinceId: event.provinceId,
      communeId: event.communeId,
      dedupeKey: `receiver.offline:${event.receiverId}:${event.lastSeenAt}`,
      payload: {
        type: 'receiver.offline',
        timestamp: offlineSince,
        data: {
          receiverId: event.receiverId,
          receiverName: event.receiverName,
          communeId: event.communeId,
          communeName: event.communeName,
          hamletId: event.hamletId,
          hamletName: event.hamletName,
          lastHeartbeatAt: event.lastSeenAt,
          offlineSince,
        },
      },
    };
  }
  if (event.type === 'emergency-sent') {
    return {
      provinceId: event.provinceId,
      communeId: event.communeId,
      dedupeKey: `emergency.sent:${event.broadcastId}`,
      payload: {
        type: 'emergency.sent',
        timestamp: event.sentAt,
        data: {
          broadcastId: event.broadcastId,
          communeId: event.communeId,
          // Filled in by the outbox from the commune: the facts carry ids, the operations centre reads names.
          communeName: '',
          hamletIds: [...event.hamletIds],
          startsAt: event.startsAt,
          title: event.title,
          sentBy: event.sentBy,
        },
      },
    };
  }
  if (event.type === 'receiver-alarm') {
    const type = event.state === 'raised' ? 'receiver.alarm' : 'receiver.alarm_cleared';
    return {
      provinceId: event.provinceId,
      communeId: event.communeId,
      dedupeKey: `${type}:${event.alarmId}`,
      payload: {
        type,
        timestamp: event.clearedAt ?? event.startedAt,
        data: {
          alarmId: event.alarmId,
          kind: event.kind,
          detail: event.detail,
          receiverId: event.receiverId,
          receiverName: event.receiverName,
          communeId: event.communeId,
          communeName: event.communeName,
          hamletId: event.hamletId,
          hamletName: event.hamletName,
          startedAt: event.startedAt,
          clearedAt: event.clearedAt,
        },
      },
    };
  }
  if (event.type === 'bulletin-aired') {
    return {
      provinceId: event.provinceId,
      communeId: event.communeId,
      dedupeKey: `bulletin.aired:${event.bulletinId}:${event.communeId}`,
      payload: {
        type: 'bulletin.aired',
        timestamp: event.startedAt,
        data: {
          bulletinId: event.bulletinId,
          title: event.title,
          level: event.level,
          communeId: event.communeId,
          communeName: event.communeName,
          receiverId: event.receiverId,
          startedAt: event.startedAt,
        },
      },
    };
  }
  return null;
}

type FoundEvent = NonNullable<ReturnType<typeof webhookEventOf>>;

/**
 * The webhook outbox, written in the unit of work of the change that makes each fact (an emergency booked,
 * an alarm raised or cleared, a bulletin's airing reported, a box gone offline): the events and their
 * deliveries commit with the change or not at all, so a process that dies once it committed loses no
 * webhook. The event bus that tells of the fact afterwards only wakes the senders.
 */
export function createWebhookOutbox(deps: { readonly clock: Clock; readonly ids: IdGenerator }) {
  return {
    /**
     * Writes, with `r` (the caller's unit of work), each fact's event once per key and one delivery of it
     * to every enabled endpoint of its province that takes its type. The endpoints are read once per
     * province and type, the communes named once: a province's emergency is a fact per commune, thousands
     * of them. Returns how many deliveries were added.
     */
    async record(
      r: Pick<Repositories, 'webhooks' | 'communes'>,
      facts: readonly LoaEvent[],
    ): Promise<number> {
      const found = new Map<string, FoundEvent>();
      for (const fact of facts) {
        const event = webhookEventOf(fact);
        if (event && !found.has(event.dedupeKey)) found.set(event.dedupeKey, event);
      }
      const subscribed = new Map<string, readonly string[]>();
      const wanted: { event: FoundEvent; endpoints: readonly string[] }[] = [];
      for (const event of found.values()) {
        const key = `${event.provinceId} ${event.payload.type}`;
        let endpoints = subscribed.get(key);
        if (!endpoints) {
          endpoints = await r.webhooks.listSubscribedEndpointIds(event.provinceId, event.payload.type);
          subscribed.set(key, endpoints);
        }
        // Most facts interest no endpoint: then nothing is written.
        if (endpoints.length > 0) wanted.push({ event, endpoints });
      }
      if (wanted.length === 0) return 0;
      // The facts carry ids; the operations centre reads names.
      const unnamed = new Set(
        wanted.filter((w) => w.event.payload.type === 'emergency.sent').map((w) => w.event.communeId),
      );
      const communes = unnamed.size > 0 ? await r.communes.findCommunes([...unnamed]) : [];
      const names = new Map(communes.map((c) => [c.id, c.name]));
      const records = wanted.map(({ event, endpoints }) => {
        let payload = event.payload;
        if (payload.type === 'emergency.sent') {
          const communeName = names.get(event.communeId) ?? event.communeId;
          payload = { ...payload, data: { ...payload.data, communeName } };
        }
        const record: WebhookEventRecord = {
          id: deps.ids.id(),
          provinceId: event.provinceId,
          dedupeKey: event.dedupeKey,
          payload,
        };
        return { record, endpoints };
      });
      const now = deps.clock.now().toISOString();
      const inserted = new Set(
        await r.webhooks.insertEvents(
          records.map((e) => e.record),
          now,
        ),
      );
      // An event already there (the same fact noticed before) has its deliveries already.
      const deliveries = records
        .filter((e) => inserted.has(e.record.id))
        .flatMap((e) =>
          e.endpoints.map((endpointId) => ({ id: deps.ids.id(), eventId: e.record.id, endpointId })),
        );
      await r.webhooks.insertDeliveries(deliveries, now);
      return deliveries.length;
    },
  };
}

export type WebhookOutbox = ReturnType<typeof createWebhookOutbox>;
