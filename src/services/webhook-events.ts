import type { LoaEvent } from '../domain/ports/events.js';
import { onlineWindowMs } from '../domain/receiver/health.js';
import type { WebhookPayload } from '../domain/webhook.js';

/** The event bus's facts as webhook events of a province, with the key that makes each one once. */
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
          // Filled in below from the commune: the bus carries ids, the operations centre reads names.
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
