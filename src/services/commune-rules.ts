import type { Commune, CommuneSettings } from '../domain/commune.js';
import { conflict } from '../domain/errors.js';
import type { Repositories } from '../domain/ports/repositories.js';
import {
  airingsBrokenByChange,
  communeRules,
  END_OF_TIME,
  LONGEST_ITEM_MS,
  nameAirings,
} from '../domain/schedule/index.js';
import { bookedOf } from './bookings.js';

/** A 409 that names the form field it is about, so that the page shows it there. */
export const takenField = (field: string, detail: string, detailVi: string) =>
  conflict(detail, detailVi, { errors: [{ field, message: detail, messageVi: detailVi }] });

/**
 * A standing slot a live series airs in cannot be removed (or renamed): the series would find no slot to
 * air in from then on, and end without a word.
 */
export async function assertSlotsKept(
  r: Pick<Repositories, 'broadcasts' | 'hamlets'>,
  commune: Commune,
  slots: CommuneSettings['slots'],
): Promise<void> {
  const kept = new Set(slots.map((s) => s.name));
  const removed = commune.settings.slots.filter((s) => !kept.has(s.name));
  if (removed.length === 0) return;
  // As a booking holds them: one in a removed slot at the same moment is either seen here or refused.
  await r.hamlets.lockSchedules((await r.hamlets.listCommuneHamlets(commune.id)).map((h) => h.id));
  const series = (await r.broadcasts.listLiveSeries(commune.id)).filter((b) =>
    removed.some((s) => s.name === b.schedule.recurrence?.slot),
  );
  if (series.length === 0) return;
  const slotNames = removed
    .filter((s) => series.some((b) => b.schedule.recurrence?.slot === s.name))
    .map((s) => `"${s.label}"`)
    .join(', ');
  const titles = series.map((b) => `"${b.title ?? b.relay?.url ?? b.id}"`).join(', ');
  throw takenField(
    'slots',
    `The slot ${slotNames} is still used by ${series.length} recurring broadcast(s): ${titles}. Cancel them first.`,
    `Khung giờ ${slotNames} đang có ${series.length} lịch phát lặp lại: ${titles}. Hãy hủy các lịch đó trước khi bỏ khung giờ.`,
  );
}

/**
 * New quiet hours, slots or time zone do not move what is booked (it is kept as instants): a change
 * that would leave an airing to come against them (in quiet hours, outside its slot's hours, past its
 * air time) waits until it is moved.
 */
export async function assertAiringsKept(
  r: Pick<Repositories, 'broadcasts' | 'hamlets'>,
  before: Commune,
  after: Commune,
  now: number,
): Promise<void> {
  const hamletIds = (await r.hamlets.listCommuneHamlets(before.id)).map((h) => h.id);
  // As a booking holds them: one at the same moment is either seen here or placed under the new rules.
  await r.hamlets.lockSchedules(hamletIds);
  const booked = (
    await r.broadcasts.listBookedBetween(hamletIds, new Date(now).toISOString(), END_OF_TIME, LONGEST_ITEM_MS)
  )
    .map(bookedOf)
    .filter((b) => b.startsAt >= now);
  const broken = airingsBrokenByChange(booked, communeRules(before), communeRules(after));
  if (broken.length === 0) return;
  const named = nameAirings(broken, before.timeZone);
  const zone = before.timeZone !== after.timeZone;
  throw conflict(
    `${broken.length} airing(s) booked would break the new ${zone ? 'time zone, ' : ''}quiet hours or slots: ${named.en}. Cancel or move them first, or keep the rules.`,
    `${broken.length} lượt phát đã đặt sẽ trái ${zone ? 'múi giờ, ' : ''}giờ nghỉ hoặc khung giờ mới: ${named.vi}. Hãy hủy hoặc dời các lượt phát này trước, hoặc giữ quy định cũ.`,
    { airingIds: broken.map((b) => b.id) },
  );
}

/**
 * The languages of `before` that `after` drops while a hamlet of the commune still broadcasts in them,
 * each with those hamlets' ids: the hamlet could then be neither edited nor given content in it.
 */
export async function languagesStillUsed(
  r: Pick<Repositories, 'hamlets'>,
  before: Commune,
  after: Commune,
): Promise<readonly { readonly code: string; readonly hamletIds: readonly string[] }[]> {
  const kept = new Set(after.settings.languages.map((l) => l.code));
  const dropped = before.settings.languages.filter((l) => !kept.has(l.code));
  if (dropped.length === 0) return [];
  const hamlets = await r.hamlets.listCommuneHamlets(before.id);
  return dropped
    .map((l) => ({
      code: l.code,
      hamletIds: hamlets.filter((h) => h.languages.includes(l.code)).map((h) => h.id),
    }))
    .filter((l) => l.hamletIds.length > 0);
}
