/** Local calendar date `YYYY-MM-DD` in the commune's time zone. */
export type LocalDate = string;
/** Local wall-clock time `HH:MM` (24 h) in the commune's time zone. */
export type LocalTime = string;

/** The three levels of the grassroots radio rules, lowest first. */
export const PRIORITIES = ['normal', 'priority', 'emergency'] as const;
// thông thường | ưu tiên | khẩn cấp
export type Priority = (typeof PRIORITIES)[number];

const RANK: Readonly<Record<Priority, number>> = { normal: 0, priority: 1, emergency: 2 } as const;

/** Numeric rank of a priority: emergency (2) > priority (1) > normal (0). */
export const priorityRank = (priority: Priority): number => RANK[priority];

/** Vietnamese label of a priority, as cadres know it from the radio rules. */
export const PRIORITY_LABEL_VI: Readonly<Record<Priority, string>> = {
  normal: 'thông thường',
  priority: 'ưu tiên',
  emergency: 'khẩn cấp',
} as const;

// khung giờ phát cố định
export interface Slot {
  readonly name: string;
  /** What the commune calls it ("Buổi chiều"), for people; the name is what the API takes. */
  readonly label?: string;
  readonly start: LocalTime;
  readonly end: LocalTime;
  readonly maxAirTimeS: number;
}

// giờ nghỉ ngơi: no loudspeaker except emergencies
export interface QuietHours {
  readonly start: LocalTime;
  readonly end: LocalTime;
}

export interface EmergencyRules {
  readonly repeatCount: number;
  readonly repeatIntervalMin: number;
}

/** The scheduling rules of one commune. */
export interface CommuneRules {
  /** IANA zone, e.g. `Asia/Ho_Chi_Minh`. */
  readonly timeZone: string;
  readonly quietHours: QuietHours;
  readonly slots: readonly Slot[];
  readonly emergency: EmergencyRules;
}

export const DEFAULT_TIME_ZONE = 'Asia/Ho_Chi_Minh';
export const DEFAULT_QUIET_HOURS: QuietHours = { start: '21:30', end: '05:30' } as const;
export const DEFAULT_EMERGENCY: EmergencyRules = { repeatCount: 3, repeatIntervalMin: 10 } as const;
/** Rural radio rules cap a standing slot at 45 minutes of air time. */
export const RURAL_SLOT_MAX_AIR_TIME_S = 45 * 60;
/** Recurrences may not fire more often than this, except emergency ones. */
export const MIN_RECURRENCE_GAP_MIN = 15;
/** Disaster bulletins repeat every 2 hours on the hour until replaced or cancelled. */
export const DISASTER_BULLETIN_EVERY_HOURS = 2;

/** A half-open interval of instants `[from, to)` in epoch milliseconds. */
export interface TimeWindow {
  readonly from: number;
  readonly to: number;
}

/**
 * When a broadcast airs: an exact instant, a standing slot on a local date, a cron recurrence, or a
 * standing slot every week on some weekdays (0 = Sunday … 6 = Saturday, as in cron).
 */
export type When =
  | { readonly kind: 'at'; readonly at: number }
  | { readonly kind: 'slot'; readonly name: string; readonly date: LocalDate }
  | {
      readonly kind: 'recurrence';
      readonly cron: string;
      readonly from: number;
      readonly until?: number;
      readonly count?: number;
    }
  | {
      readonly kind: 'weekly-slot';
      readonly slot: string;
      readonly weekdays: readonly number[];
      readonly from: number;
      readonly until?: number;
      readonly count?: number;
    };

/** One materialised start, in UTC; `slot` is set when packing decides the exact start later. */
export interface Start {
  readonly startsAt: number;
  readonly slot?: string;
}

/** How an emergency repeats: N times M minutes apart, or every H hours on the hour (disaster bulletins). */
export type EmergencyRepeat =
  | { readonly kind: 'times'; readonly count: number; readonly intervalMin: number }
  | { readonly kind: 'every-hours-on-the-hour'; readonly hours: number };

/** The five fields of a standard cron expression, in order. */
export const CRON_FIELDS = ['minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'] as const;
export type CronField = (typeof CRON_FIELDS)[number];

export type ScheduleErrorCode =
  | 'invalid_cron'
  | 'cron_too_frequent'
  | 'cron_never_fires'
  | 'until_before_from'
  | 'count_and_until'
  | 'invalid_count'
  | 'no_occurrences'
  | 'unknown_slot'
  | 'no_weekdays'
  | 'invalid_date'
  | 'invalid_time'
  | 'quiet_hours'
  | 'slot_overflow'
  | 'conflict'
  | 'past';

interface ErrorOf<C extends ScheduleErrorCode, D> {
  readonly code: C;
  /** JSON path of the offending input, e.g. `recurrence.cron`. */
  readonly field: string;
  /** Vietnamese, for the cadre: what is wrong and what to do. */
  readonly message: string;
  readonly messageEn: string;
  readonly details?: D;
}

type SpecificCode =
  'invalid_cron' | 'cron_too_frequent' | 'quiet_hours' | 'slot_overflow' | 'conflict' | 'unknown_slot';

/** A user error of the scheduling rules, discriminated by `code`. */
export type ScheduleError =
  | ErrorOf<
      'invalid_cron',
      { readonly cronField?: CronField; readonly position?: number; readonly value?: string }
    >
  | ErrorOf<'cron_too_frequent', { readonly minGapMin: number; readonly limitMin: number }>
  | ErrorOf<
      'quiet_hours',
      {
        readonly quietStart: LocalTime;
        readonly quietEnd: LocalTime;
        readonly startsAt: number;
        readonly localStart: string;
      }
    >
  | ErrorOf<
      'slot_overflow',
      {
        readonly slot: string;
        readonly maxAirTimeS: number;
        readonly usedS: number;
        readonly requestedS: number;
        readonly overS: number;
      }
    >
  | ErrorOf<'conflict', { readonly conflictIds: readonly string[] }>
  | ErrorOf<'unknown_slot', { readonly known: readonly string[] }>
  | ErrorOf<Exclude<ScheduleErrorCode, SpecificCode>, Readonly<Record<string, unknown>>>;

/** Outcome of a rule check: user errors are values, never exceptions. */
export type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ScheduleError };

/** A successful result. */
export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
/** A refused result carrying the user error. */
export const err = <T = never>(error: ScheduleError): Result<T> => ({ ok: false, error });
