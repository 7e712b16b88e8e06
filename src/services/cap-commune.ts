import type { RequestContext, UserActor } from '../domain/actor.js';
import type { CapAlert, CapInfo } from '../domain/cap/alert.js';
import { capNotInReview } from '../domain/cap/errors.js';
import type { CapCommuneItem } from '../domain/cap/intake.js';
import { capHazardType } from '../domain/cap/mapping.js';
import type { Commune } from '../domain/commune.js';
import { DISASTER_CATEGORY } from '../domain/disaster.js';
import { capSystemUserId } from '../domain/user.js';
import type { IdGenerator } from '../domain/ports/ids.js';
import type { Repositories } from '../domain/ports/repositories.js';
import { enqueueProcessing } from './announcement-versions.js';
import type { AuditTrail } from './audit.service.js';
import { voiceLanguage } from '../domain/ports/tts.js';
import { addDays, communeRules, localToUtc, utcToLocal } from '../domain/schedule/index.js';

/** The alerts' own account in each commune: what it books and writes is attributed to it, never to a person. */
export const systemUserId = capSystemUserId;

/** The account as the use cases' actor: a commune officer of that commune. */
export function systemActor(commune: Commune): UserActor {
  return {
    kind: 'user',
    id: systemUserId(commune.id),
    username: systemUserId(commune.id),
    role: 'commune_officer',
    provinceId: commune.provinceId,
    communeId: commune.id,
    hamletIds: 'all',
  };
}

/** Makes the commune's alert account the first time an alert reaches it: disabled, it never signs in. */
async function ensureSystemUser(r: Repositories, commune: Commune, now: string): Promise<void> {
  if (await r.users.findUser(systemUserId(commune.id))) return;
  await r.users.insertUser(
    {
      id: systemUserId(commune.id),
      username: systemUserId(commune.id),
      displayName: 'Hệ thống cảnh báo CAP',
      // No password hashes to this: the account never signs in.
      passwordHash: '!',
      role: 'commune_officer',
      communeId: commune.id,
      hamletIds: [],
    },
    now,
  );
  await r.users.updateUser(systemUserId(commune.id), { disabledAt: now }, now);
}

/**
 * What an alert writes in one commune, inside the intake's unit of work: the commune's alert account,
 * an announcement of category `thien-tai` whose Vietnamese version is the spoken text (approved by the
 * account when it airs by itself, else waiting for the office), the disaster event it belongs to (an
 * Update stays in the event of what it updates, so that its bulletin replaces the earlier one), and the
 * item, in review until it is on the air.
 */
export async function writeCommuneItem(
  r: Repositories,
  ids: IdGenerator,
  a: {
    readonly commune: Commune;
    readonly hamletIds: readonly string[];
    readonly alertId: string;
    readonly alert: CapAlert;
    readonly info: CapInfo;
    readonly headline: string;
    readonly text: string;
    /** The spoken words; null where a processing node speaks them later (the edge). */
    readonly audio: { readonly mp3: string; readonly opus: string | null } | null;
    readonly approved: boolean;
    readonly updates: readonly CapCommuneItem[];
    readonly now: string;
  },
): Promise<CapCommuneItem> {
  const { commune, now } = a;
  await ensureSystemUser(r, commune, now);
  const approval = a.approved ? 'approved' : 'pending';
  const announcementId = ids.id();
  await r.announcements.insertAnnouncement(
    {
      id: announcementId,
      communeId: commune.id,
      hamletId: null,
      title: a.headline.slice(0, 200),
      category: DISASTER_CATEGORY,
      createdBy: systemUserId(commune.id),
      approval,
    },
    now,
  );
  const variantId = ids.id();
  await r.announcements.insertVariant(
    announcementId,
    {
      id: variantId,
      language: voiceLanguage,
      approval,
      sourceKind: 'text',
      sourceKey: null,
      sourceName: null,
      text: a.text,
      voice: 'vi',
      inspection: null,
    },
    now,
  );
  if (a.audio) {
    await r.announcements.setVariantAudio(variantId, a.audio.mp3, a.audio.opus, now);
    await r.announcements.setVariantStatus(variantId, 'ready', null, now);
    await r.announcements.setAnnouncementStatus(announcementId, 'ready', null, now);
  } else {
    // Spoken like any typed text, by the job a processing node leases.
    await enqueueProcessing(r, variantId, '1', now);
  }
  if (a.approved)
    await r.announcements.setApproval(announcementId, 'approved', null, systemUserId(commune.id), now);
  const updated = a.updates.find((e) => e.communeId === commune.id && e.eventId);
  let eventId = a.alert.msgType === 'Update' ? (updated?.eventId ?? null) : null;
  const event = eventId ? await r.disaster.findEvent(eventId) : undefined;
  if (!event || event.status !== 'active') {
    eventId = ids.id();
    await r.disaster.insertEvent({
      id: eventId,
      communeId: commune.id,
      name: (a.info.event || a.headline).slice(0, 200),
      hazardType: capHazardType(a.info),
      status: 'active',
      createdBy: systemUserId(commune.id),
      createdAt: now,
    });
  }
  const item: CapCommuneItem = {
    id: ids.id(),
    alertId: a.alertId,
    communeId: commune.id,
    hamletIds: a.hamletIds,
    // Review until it is on the air: a failure between here and there leaves it to the officer. What
    // airs by itself but is not spoken yet waits for its words first.
    state: a.audio === null && a.approved ? 'speaking' : 'review',
    announcementId,
    eventId,
    bulletinId: null,
    broadcastId: null,
    createdAt: now,
    updatedAt: now,
  };
  await r.capAlerts.insertItem(item);
  return item;
}

/**
 * The event a review item airs in, inside the airing's unit of work: its own while active; once an officer
 * has ended it, a new event of the same name opened for it, with the item moved there. The event is locked
 * and the item read again first, so a second press at the same moment takes the event the first opened.
 */
export async function liveEventFor(
  r: Repositories,
  ids: IdGenerator,
  audit: AuditTrail,
  a: {
    readonly ctx: RequestContext;
    readonly item: CapCommuneItem;
    readonly headline: string;
    readonly info: CapInfo;
    readonly now: Date;
  },
): Promise<string> {
  const { ctx, item } = a;
  if (item.eventId) await r.disaster.lockEvent(item.eventId);
  const current = await r.capAlerts.findItem(item.id);
  if (!current || current.state !== 'review') throw capNotInReview(current?.state ?? 'dismissed');
  const event = current.eventId ? await r.disaster.findEvent(current.eventId) : undefined;
  if (event?.status === 'active') return event.id;
  const now = a.now.toISOString();
  const opened = {
    id: ids.id(),
    communeId: item.communeId,
    name: (event?.name ?? (a.info.event || a.headline)).slice(0, 200),
    hazardType: event?.hazardType ?? capHazardType(a.info),
    status: 'active' as const,
    createdBy: ctx.actor.id,
    createdAt: now,
  };
  await r.disaster.insertEvent(opened);
  await r.capAlerts.updateItem(item.id, { eventId: opened.id }, now, ['review']);
  await audit.record(r, {
    ...ctx,
    action: 'disaster.event_create',
    targetType: 'disaster_event',
    targetId: opened.id,
    details: { name: opened.name, hazardType: opened.hazardType, capItemId: item.id, ended: event?.id },
  });
  return opened.id;
}

/** The commune's next standing slot opening after `now`, today or tomorrow on its wall clock. */
export function nextSlot(
  commune: Commune,
  now: number,
): { readonly name: string; readonly date: string } | null {
  const rules = communeRules(commune);
  const today = utcToLocal(now, rules.timeZone).date;
  const openings = [today, addDays(today, 1)].flatMap((date) =>
    rules.slots.map((slot) => ({
      name: slot.name,
      date,
      at: localToUtc(date, slot.start, rules.timeZone),
    })),
  );
  const next = openings.filter((o) => o.at > now).sort((x, y) => x.at - y.at)[0];
  return next ? { name: next.name, date: next.date } : null;
}
