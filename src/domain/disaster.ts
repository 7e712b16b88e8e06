import { z } from 'zod';
import type { UserActor } from './actor.js';
import { humanText, idText } from './input.js';
import { utcToLocal } from './schedule/time-zone.js';
import { DISASTER_BULLETIN_EVERY_HOURS } from './schedule/types.js';

/**
 * Disaster bulletins (bản tin thiên tai) as Quyết định 18/2021/QĐ-TTg describes them: a risk level 1–5
 * with its colour, the type of hazard, the issuing agency and the issue time; bulletins of one event
 * (a storm, a flood) are numbered 1…n, and a newer one replaces the one before it on the air.
 */

/** Cấp độ rủi ro thiên tai, QĐ 18/2021 art. 4–5: 1 (lowest) … 5 (catastrophic). */
export const RISK_LEVELS = [1, 2, 3, 4, 5] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/**
 * The decision's colour of each level (1 light blue, 2 light yellow, 3 orange, 4 red, 5 purple), with a
 * text colour that stays readable on it, for pages and maps.
 */
export const RISK_LEVEL_COLOURS: Readonly<
  Record<RiskLevel, { readonly background: string; readonly text: string; readonly nameVi: string }>
> = {
  1: { background: '#a7d8f5', text: '#0b2a3c', nameVi: 'xanh dương nhạt' },
  2: { background: '#fff3a3', text: '#3b3200', nameVi: 'vàng nhạt' },
  3: { background: '#f7941d', text: '#1f1300', nameVi: 'da cam' },
  4: { background: '#d7191c', text: '#ffffff', nameVi: 'đỏ' },
  5: { background: '#7b2c8f', text: '#ffffff', nameVi: 'tím' },
};

/** Types of natural disaster the bulletins name (Luật Phòng, chống thiên tai art. 3; QĐ 18/2021 ch. II). */
export const HAZARD_TYPES = [
  'storm',
  'tropical_depression',
  'flood',
  'flash_flood',
  'landslide',
  'inundation',
  'heavy_rain',
  'thunderstorm',
  'cold_spell',
  'heat_wave',
  'drought',
  'saline_intrusion',
  'forest_fire',
  'earthquake',
  'tsunami',
  'other',
] as const;
export type HazardType = (typeof HAZARD_TYPES)[number];

export const HAZARD_NAMES_VI: Readonly<Record<HazardType, string>> = {
  storm: 'Bão',
  tropical_depression: 'Áp thấp nhiệt đới',
  flood: 'Lũ',
  flash_flood: 'Lũ quét',
  landslide: 'Sạt lở đất',
  inundation: 'Ngập lụt',
  heavy_rain: 'Mưa lớn',
  thunderstorm: 'Lốc, sét, mưa đá',
  cold_spell: 'Rét hại',
  heat_wave: 'Nắng nóng',
  drought: 'Hạn hán',
  saline_intrusion: 'Xâm nhập mặn',
  forest_fire: 'Cháy rừng',
  earthquake: 'Động đất',
  tsunami: 'Sóng thần',
  other: 'Thiên tai khác',
};

/** The announcement category a bulletin's content carries. */
export const DISASTER_CATEGORY = 'thien-tai';

export const EVENT_STATUSES = ['active', 'ended'] as const;
export type DisasterEventStatus = (typeof EVENT_STATUSES)[number];

/** Why a bulletin is no longer on the air: replaced by a newer one, ended by an officer, its event ended, expired. */
export const BULLETIN_ENDS = ['superseded', 'ended', 'event_ended', 'expired'] as const;
export type BulletinEnd = (typeof BULLETIN_ENDS)[number];

/** A disaster event (sự kiện thiên tai), e.g. "Bão số 3": it groups the bulletins 1…n about it. */
export interface DisasterEvent {
  readonly id: string;
  readonly communeId: string;
  readonly name: string;
  readonly hazardType: HazardType;
  readonly status: DisasterEventStatus;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly endedAt: string | null;
}

/** One bulletin of an event: its content, its QĐ 18/2021 fields and the broadcast that repeats it. */
export interface DisasterBulletin {
  readonly id: string;
  readonly eventId: string;
  readonly communeId: string;
  /** 1…n within its event. */
  readonly sequence: number;
  readonly announcementId: string;
  readonly title: string;
  readonly broadcastId: string;
  readonly riskLevel: RiskLevel;
  readonly hazardType: HazardType;
  readonly agency: string;
  readonly issuedAt: string;
  readonly everyHours: number;
  /** What the spoken header says before each airing, and its audio. */
  readonly headerText: string;
  readonly headerSha256: string;
  readonly hamletIds: readonly string[];
  readonly createdBy: string;
  readonly createdAt: string;
  /** Null while it is on the air. */
  readonly endedAt: string | null;
  readonly endReason: BulletinEnd | null;
}

/** When a bulletin last aired in one hamlet (null: not yet). */
export interface BulletinAiring {
  readonly bulletinId: string;
  readonly hamletId: string;
  readonly lastAiredAt: string | null;
  readonly nextAt: string | null;
}

const instant = z.iso.datetime({
  offset: true,
  message: 'must be an ISO 8601 time with an offset, e.g. "2026-11-27T14:30:00+07:00"',
});

/** `POST /api/v1/disaster/events`. */
export const DisasterEventRequestSchema = z.strictObject({
  name: humanText(200),
  hazardType: z.enum(HAZARD_TYPES),
});
export type DisasterEventRequest = z.output<typeof DisasterEventRequestSchema>;

/** `POST /api/v1/disaster/events/{id}/bulletins`: content already recorded or typed, approved, ready. */
export const BulletinRequestSchema = z.strictObject({
  announcementId: idText,
  riskLevel: z.union(RISK_LEVELS.map((l) => z.literal(l)) as [z.ZodLiteral<1>, ...z.ZodLiteral<RiskLevel>[]]),
  /** Defaults to the event's. */
  hazardType: z.enum(HAZARD_TYPES).optional(),
  agency: humanText(200),
  issuedAt: instant,
  hamletIds: z.union([z.literal('all'), z.array(idText).min(1).max(500).readonly()]).default('all'),
  /** The repeat rule: every N hours on the hour (default 2, as the radio rules say). */
  everyHours: z.number().int().min(1).max(24).default(DISASTER_BULLETIN_EVERY_HOURS),
});
export type BulletinRequest = z.output<typeof BulletinRequestSchema>;

/**
 * The spoken header that precedes every airing of a bulletin, with its issue time on the commune's
 * wall clock, so that a replay hours later never sounds like news of the moment. The speech engine's
 * normaliser reads the digits as words.
 * @example bulletinHeaderText(Date.parse('2026-11-27T07:30:00Z'), 'Asia/Ho_Chi_Minh')
 * // → 'Bản tin phát lúc 14 giờ 30 ngày 27 tháng 11 năm 2026.'
 */
export function bulletinHeaderText(issuedAtMs: number, timeZone: string): string {
  const { date, time } = utcToLocal(issuedAtMs, timeZone);
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  const clock = minute === 0 ? `${hour} giờ` : `${hour} giờ ${minute}`;
  return `Bản tin phát lúc ${clock} ngày ${day} tháng ${month} năm ${year}.`;
}

/** The level as pages name it: "Cấp độ 3". */
export const riskLevelLabelVi = (level: RiskLevel): string => `Cấp độ ${level}`;

/**
 * A bulletin issued where its header cannot be spoken at once (the edge profile runs no speech engine):
 * kept as the data of a `speak-header` job until a processing node has spoken `headerText`, then put on
 * the air as it was issued, by whom, with the checks of that moment.
 */
export interface PendingBulletin {
  readonly eventId: string;
  readonly actor: UserActor;
  readonly requestId: string | null;
  readonly request: BulletinRequest;
  readonly headerText: string;
  /** The CAP item this bulletin airs, marked aired with it. */
  readonly capItemId?: string | undefined;
  /** The key the request was sent under: the bulletin is written with it, once. */
  readonly idempotencyKey?: string | undefined;
}

/** What issuing a bulletin gives: on the air now, or waiting for a processing node to speak its header. */
export type BulletinIssue =
  | { readonly state: 'on_air'; readonly bulletin: DisasterBulletin }
  | {
      readonly state: 'waiting_for_header';
      readonly jobId: string;
      readonly eventId: string;
      readonly headerText: string;
    };
