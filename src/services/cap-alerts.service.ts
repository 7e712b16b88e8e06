import type { Actor, RequestContext } from '../domain/actor.js';
import { capForeignReference, capNotInReview, capProblemError, capRefusal } from '../domain/cap/errors.js';
import type {
  CapAlertRecord,
  CapAlertState,
  CapCommuneItem,
  CapIntakeResult,
  CapReceivedVia,
} from '../domain/cap/intake.js';
import { capReferences, parseCapAlert } from '../domain/cap/alert.js';
import type { CapSignaturePolicy } from '../domain/cap/signature.js';
import {
  capExpiry,
  capForeignReferences,
  capHazardType,
  capKey,
  capLevel,
  capRiskLevel,
  capSpeechText,
  chooseInfo,
  hamletsInAreas,
  type CapLevel,
} from '../domain/cap/mapping.js';
import type { Commune } from '../domain/commune.js';
import { LoaError, notFound } from '../domain/errors.js';
import { DEFAULT_TIME_ZONE, formatLocalVi } from '../domain/schedule/index.js';
import { assertAllowed } from '../domain/policy.js';
import type { AudioWork } from '../domain/ports/audio.js';
import type { Clock } from '../domain/ports/clock.js';
import type { IdGenerator } from '../domain/ports/ids.js';
import type { Logger } from '../domain/ports/logger.js';
import type { CapQueueItem, Repositories, UnitOfWork } from '../domain/ports/repositories.js';
import { assetsOf } from './audio.service.js';
import type { AuditTrail } from './audit.service.js';
import type { BroadcastsService } from './broadcasts.service.js';
import { createCapAiring } from './cap-airing.js';
import { liveEventFor, systemActor, writeCommuneItem } from './cap-commune.js';
import type { SpeechPlace } from './disaster-header.js';
import type { DisasterService } from './disaster.service.js';

interface Deps {
  readonly repos: Pick<Repositories, 'capAlerts' | 'communes' | 'hamlets' | 'announcements'>;
  readonly tx: UnitOfWork;
  readonly audit: AuditTrail;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly audio: AudioWork;
  /** `processing-node`: the alert's words are spoken by a processing node, and it airs once they are. */
  readonly speech: SpeechPlace;
  readonly logger: Logger;
  readonly disaster: Pick<DisasterService, 'addBulletin' | 'endBulletin' | 'endEvent'>;
  readonly broadcasts: Pick<BroadcastsService, 'scheduleWithin' | 'cancel'>;
  readonly signatures: CapSignaturePolicy;
}

/**
 * CAP 1.2 alerts in (push and feeds): a message is parsed and checked (nothing malformed is ever read
 * aloud), recorded once (duplicates by sender/identifier/sent are answered as such), and mapped in each
 * commune of the province it reaches: an Extreme or Severe, Immediate or Expected, Observed or Likely
 * alert airs at once as a disaster bulletin (headline, instruction and a short description spoken by
 * the TTS pipeline, with the issue-time header), anything else waits in the officer's review queue,
 * where she can attach a recording and air it. An Update replaces the earlier alert's bulletin; a
 * Cancel ends it and stops the boxes; `expires` ends it on the dispatcher's tick.
 */
export function createCapAlertsService(deps: Deps) {
  const { clock, tx } = deps;
  const { speak, air, airInSlot, slotHeaderSpoken, speakPendingSlotHeader, airSpoken } =
    createCapAiring(deps);

  /**
   * Takes an earlier alert off in one commune. `cancel`: its event ends (the boxes stop) or its review
   * item is refused. `replace`: the new bulletin of the same event replaces it on the air by itself, so
   * only the record changes. `end`: an Update that will not air at once (review) or no longer reaches
   * the commune ends the earlier bulletin.
   */
  async function takeOff(
    ctx: RequestContext,
    earlier: CapCommuneItem,
    mode: 'cancel' | 'replace' | 'end',
  ): Promise<void> {
    const next = mode === 'cancel' ? 'cancelled' : 'replaced';
    // Read before this message's unit of work: an officer may have aired it since (or the edge moved it on
    // from `speaking`). The change is made only from the state acted on; otherwise it is read again.
    let item: CapCommuneItem | undefined = earlier;
    for (let tries = 0; item && tries < 3; tries++) {
      if (item.state !== 'aired' && item.state !== 'review' && item.state !== 'speaking') return;
      const now = clock.now().toISOString();
      if (item.state === 'aired' && item.broadcastId) {
        // A slot item is replaced by nothing by itself: it is cancelled whatever comes after it.
        await deps.broadcasts.cancel(ctx, item.broadcastId);
      } else if (item.state === 'aired') {
        if (mode === 'cancel' && item.eventId) await deps.disaster.endEvent(ctx, item.eventId);
        if (mode === 'end' && item.bulletinId)
          await deps.disaster.endBulletin(ctx, item.bulletinId, 'superseded');
      } else if (item.announcementId) {
        await deps.repos.announcements.setApproval(
          item.announcementId,
          'rejected',
          mode === 'cancel'
            ? 'Cơ quan gửi đã hủy cảnh báo (CAP Cancel).'
            : 'Đã có cảnh báo cập nhật thay thế (CAP Update).',
          ctx.actor.id,
          now,
        );
      }
      if (await deps.repos.capAlerts.updateItem(item.id, { state: next }, now, [item.state])) return;
      item = await deps.repos.capAlerts.findItem(item.id);
    }
  }

  return {
    /**
     * Takes one CAP document for a province. Refused documents (malformed, wrong namespace, DTD or
     * entities, signed, off the schema, expired, nothing to read, an Update or Cancel naming another
     * sender's alert) throw a problem and leave nothing.
     */
    async intake(
      provinceId: string,
      source: { readonly via: CapReceivedVia; readonly actorCtx: RequestContext<Actor> | null },
      xml: string,
    ): Promise<CapIntakeResult> {
      const now = clock.now();
      const parsed = parseCapAlert(xml, { ...deps.signatures, now });
      if (!parsed.ok) throw capProblemError(parsed.problem);
      const alert = parsed.alert;
      const foreign = capForeignReferences(alert);
      if (foreign.length > 0) throw capForeignReference(alert.msgType, alert.sender, foreign);
      const signedBy = parsed.signer;
      const nowIso = now.toISOString();
      const key = capKey(alert);
      const existing = await deps.repos.capAlerts.findAlertByKey(provinceId, key);
      if (existing) return duplicateOf(existing, await deps.repos.capAlerts.listItemsOfAlerts([existing.id]));

      const info = chooseInfo(alert);
      const airs = alert.msgType === 'Alert' || alert.msgType === 'Update';
      const expiry = capExpiry(alert);
      const communes = await deps.repos.communes.listCommunes(provinceId);
      if (airs && expiry !== null && expiry <= now.getTime())
        throw capRefusal(
          'expired',
          `The alert expired at ${new Date(expiry).toISOString()}; nothing was aired.`,
          // On the province's wall clock (its communes'), as the officers read it.
          `Cảnh báo đã hết hạn lúc ${formatLocalVi(expiry, communes[0]?.timeZone ?? DEFAULT_TIME_ZONE)}; không phát.`,
        );
      const text = info ? capSpeechText(info) : null;
      if (airs && (!info || text === null))
        throw capRefusal(
          'nothing_to_read',
          'The alert has no info block with a headline, event or instruction to read.',
          'Cảnh báo không có tiêu đề, sự kiện hay hướng dẫn nào để đọc.',
        );
      const level: CapLevel | 'none' =
        airs && alert.status === 'Actual' ? capLevel(alert.status, info!) : 'none';
      const refs = capReferences(alert.references).map(capKey);
      const earlierAlerts =
        refs.length > 0 ? await deps.repos.capAlerts.findAlertsByKeys(provinceId, refs) : [];
      const named = await deps.repos.capAlerts.listItemsOfAlerts(earlierAlerts.map((a) => a.id));
      // An Update took the place of what it updated in the same event: a message naming only the first
      // alert reaches the Update's items too.
      const replaced = [...new Set(named.flatMap((i) => (i.state === 'replaced' && i.eventId) || []))];
      const successors = (await deps.repos.capAlerts.listLiveItemsOfEvents(replaced)).filter(
        (s) => !named.some((i) => i.id === s.id),
      );
      const earlierItems = [...named, ...successors];

      const reach: { commune: Commune; hamletIds: readonly string[] }[] = [];
      for (const commune of communes) {
        if (!airs) continue;
        const hamlets = await deps.repos.hamlets.listCommuneHamlets(commune.id);
        const hamletIds = hamletsInAreas(info!.area, hamlets, {
          communeCode: commune.code,
          provinceCode: commune.provinceCode,
        });
        if (hamletIds.length > 0) reach.push({ commune, hamletIds });
      }
      const speaks = reach.length > 0 && text !== null && alert.status === 'Actual';
      // Where a processing node speaks (the edge), the words become its job, written with the items.
      const later = speaks && deps.speech === 'processing-node';
      const spoken = speaks && !later ? await speak(text, reach[0]!.commune) : null;
      const mp3 = spoken?.outputs.find((o) => o.format === 'mp3');
      const opus = spoken?.outputs.find((o) => o.format === 'opus');

      const alertId = deps.ids.id();
      const record: CapAlertRecord = {
        id: alertId,
        provinceId,
        key,
        sender: alert.sender,
        identifier: alert.identifier,
        sent: new Date(alert.sent).toISOString(),
        status: alert.status,
        msgType: alert.msgType,
        level,
        headline: (info?.headline ?? info?.event ?? alert.msgType).slice(0, 500),
        expiresAt: expiry === null ? null : new Date(expiry).toISOString(),
        receivedVia: source.via,
        receivedAt: nowIso,
      };
      let items: CapCommuneItem[];
      try {
        items = await tx(async (r) => {
          await r.capAlerts.insertAlert(record, xml);
          if (spoken) for (const asset of assetsOf(spoken)) await r.announcements.saveAsset(asset, nowIso);
          const made: CapCommuneItem[] = [];
          for (const { commune, hamletIds } of mp3 || later ? reach : []) {
            made.push(
              await writeCommuneItem(r, deps.ids, {
                commune,
                hamletIds,
                alertId,
                alert,
                info: info!,
                headline: record.headline,
                text: text!,
                audio: mp3 ? { mp3: mp3.sha256, opus: opus?.sha256 ?? null } : null,
                // What airs by itself is approved by the alert's own account; the rest waits for the office.
                approved: level === 'emergency' || level === 'priority',
                updates: earlierItems,
                now: nowIso,
              }),
            );
          }
          await deps.audit.record(r, {
            actor: source.actorCtx?.actor ?? null,
            requestId: source.actorCtx?.requestId ?? null,
            action: 'cap.alert_received',
            targetType: 'cap_alert',
            targetId: alertId,
            details: {
              key,
              msgType: alert.msgType,
              status: alert.status,
              level,
              via: source.via,
              communes: made.length,
              signedBy,
            },
          });
          return made;
        });
      } catch (error) {
        // Two deliveries of one message at once: the second finds the first's row.
        const again = await deps.repos.capAlerts.findAlertByKey(provinceId, key);
        if (again) return duplicateOf(again, await deps.repos.capAlerts.listItemsOfAlerts([again.id]));
        throw error;
      }

      const communeById = new Map(communes.map((c) => [c.id, c]));
      const ctxOf = (commune: Commune) => ({
        actor: systemActor(commune),
        requestId: source.actorCtx?.requestId ?? null,
      });
      // Update and Cancel take the earlier alert off in every commune it reached; a test, an exercise or a
      // draft naming it is recorded and changes nothing on the air. An earlier bulletin an Update replaces
      // in its own event is marked so once the Update is on the air (or being spoken for it); one that did
      // not air (left for review) ends it instead.
      const replacing: CapCommuneItem[] = [];
      if ((alert.msgType === 'Update' || alert.msgType === 'Cancel') && alert.status === 'Actual') {
        for (const earlier of earlierItems) {
          const commune = communeById.get(earlier.communeId);
          if (!commune) continue;
          const successor = items.find(
            (i) => i.communeId === earlier.communeId && i.eventId === earlier.eventId,
          );
          if (alert.msgType === 'Update' && successor && level === 'emergency') replacing.push(earlier);
          else await takeOff(ctxOf(commune), earlier, alert.msgType === 'Cancel' ? 'cancel' : 'end');
        }
      }
      const results: { communeId: string; hamletIds: readonly string[]; state: CapAlertState }[] = [];
      for (const item of items) {
        const commune = communeById.get(item.communeId)!;
        const ctx = ctxOf(commune);
        const state =
          item.state === 'speaking'
            ? 'speaking'
            : level === 'emergency'
              ? await air(ctx, item, alert)
              : level === 'priority'
                ? await airInSlot(ctx, commune, item, alert)
                : 'review';
        results.push({ communeId: item.communeId, hamletIds: item.hamletIds, state });
      }
      for (const earlier of replacing) {
        const state = results.find((r) => r.communeId === earlier.communeId)?.state;
        const on = state === 'aired' || state === 'speaking';
        await takeOff(ctxOf(communeById.get(earlier.communeId)!), earlier, on ? 'replace' : 'end');
      }
      return { id: alertId, duplicate: false, msgType: alert.msgType, level, signedBy, communes: results };
    },

    /** The commune's CAP items, newest first: the review queue and what aired. */
    async list(ctx: RequestContext, states?: readonly CapAlertState[]): Promise<readonly CapQueueItem[]> {
      assertAllowed(ctx.actor, 'broadcast.read');
      return deps.repos.capAlerts.listCommuneItems(ctx.actor.communeId, states);
    },

    /**
     * An officer airs an item of the review queue as a disaster bulletin, once its content is approved
     * (she may first attach a recording as another language version, which the approval covers). An item
     * whose event an officer ended meanwhile airs in a new event of the same name.
     */
    async airItem(ctx: RequestContext, itemId: string): Promise<CapCommuneItem> {
      assertAllowed(ctx.actor, 'broadcast.emergency');
      const item = await deps.repos.capAlerts.findItem(itemId);
      if (!item || item.communeId !== ctx.actor.communeId)
        throw notFound('CAP alert', itemId, 'cảnh báo CAP');
      if (item.state !== 'review') throw capNotInReview(item.state);
      const alertRecord = await deps.repos.capAlerts.findAlert(item.alertId);
      const parsed = parseCapAlert((await deps.repos.capAlerts.findDocument(item.alertId)) ?? '', {
        stored: true,
      });
      const commune = await deps.repos.communes.findCommune(item.communeId);
      if (!alertRecord || !parsed.ok || !commune) throw notFound('CAP alert', itemId, 'cảnh báo CAP');
      const now = clock.now();
      if (alertRecord.expiresAt !== null && Date.parse(alertRecord.expiresAt) <= now.getTime()) {
        // Past its expiry the alert is not to be heard any more: it leaves the queue instead of airing.
        await deps.repos.capAlerts.updateItem(item.id, { state: 'expired' }, now.toISOString(), ['review']);
        throw new LoaError(
          409,
          'expired',
          `The alert expired at ${alertRecord.expiresAt}; it is not aired.`,
          `Cảnh báo đã hết hạn lúc ${formatLocalVi(Date.parse(alertRecord.expiresAt), commune.timeZone)}; không phát.`,
        );
      }
      const info = chooseInfo(parsed.alert)!;
      const eventId = await tx((r) =>
        liveEventFor(r, deps.ids, deps.audit, { ctx, item, headline: alertRecord.headline, info, now }),
      );
      // The bulletin claims the item in its own unit of work (only from review): nothing to mark here.
      await deps.disaster.addBulletin(
        ctx,
        eventId,
        {
          announcementId: item.announcementId!,
          riskLevel: capRiskLevel(info),
          hazardType: capHazardType(info),
          agency: info.senderName ?? parsed.alert.sender,
          issuedAt: parsed.alert.sent,
          hamletIds: item.hamletIds,
          everyHours: 2,
        },
        { capItemId: item.id },
      );
      return (await deps.repos.capAlerts.findItem(item.id))!;
    },

    /** An officer leaves an item of the review queue unaired. */
    async dismissItem(ctx: RequestContext, itemId: string): Promise<CapCommuneItem> {
      assertAllowed(ctx.actor, 'broadcast.emergency');
      const item = await deps.repos.capAlerts.findItem(itemId);
      if (!item || item.communeId !== ctx.actor.communeId)
        throw notFound('CAP alert', itemId, 'cảnh báo CAP');
      if (item.state === 'review') {
        await tx(async (r) => {
          // Only from review: "Phát" pressed at the same moment may have put it on the air since it was read.
          if (
            !(await r.capAlerts.updateItem(item.id, { state: 'dismissed' }, clock.now().toISOString(), [
              'review',
            ]))
          )
            return;
          await deps.audit.record(r, {
            ...ctx,
            action: 'cap.item_dismiss',
            targetType: 'cap_item',
            targetId: item.id,
          });
        });
      }
      const current = (await deps.repos.capAlerts.findItem(item.id))!;
      if (current.state !== 'dismissed') throw capNotInReview(current.state);
      return current;
    },

    airSpoken,
    slotHeaderSpoken,
    speakPendingSlotHeader,

    /**
     * On the dispatcher's tick: alerts past their `expires` come off the air, and those still waiting in
     * the review queue leave it, as `expired`. Returns how many.
     */
    async expire(): Promise<number> {
      const now = clock.now().toISOString();
      const due = await deps.repos.capAlerts.listExpired(now);
      for (const item of due) {
        const commune = await deps.repos.communes.findCommune(item.communeId);
        if (!commune) continue;
        const ctx = { actor: systemActor(commune), requestId: null };
        if (item.state === 'aired' && item.bulletinId)
          await deps.disaster.endBulletin(ctx, item.bulletinId, 'expired');
        if (item.state === 'aired' && item.broadcastId) await deps.broadcasts.cancel(ctx, item.broadcastId);
        // One still in the queue leaves it unaired; "Phát" pressed meanwhile has it on the air, for the next tick.
        await deps.repos.capAlerts.updateItem(item.id, { state: 'expired' }, now, [item.state]);
      }
      return due.length;
    },
  };
}

const duplicateOf = (a: CapAlertRecord, items: readonly CapCommuneItem[]): CapIntakeResult => ({
  id: a.id,
  duplicate: true,
  msgType: a.msgType,
  level: a.level,
  signedBy: null,
  communes: items.map((i) => ({ communeId: i.communeId, hamletIds: i.hamletIds, state: i.state })),
});

export type CapAlertsService = ReturnType<typeof createCapAlertsService>;
