import { offsetAt } from './time-zone.js';
import {
  DEFAULT_EMERGENCY,
  DEFAULT_TIME_ZONE,
  DISASTER_BULLETIN_EVERY_HOURS,
  type CommuneRules,
  type EmergencyRepeat,
  type TimeWindow,
} from './types.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** The default emergency repeat of the radio rules: 3 times, 10 minutes apart. */
export const DEFAULT_EMERGENCY_REPEAT: EmergencyRepeat = {
  kind: 'times',
  count: DEFAULT_EMERGENCY.repeatCount,
  intervalMin: DEFAULT_EMERGENCY.repeatIntervalMin,
} as const;

/** Disaster bulletins (bản tin thiên tai): every 2 hours on the hour until replaced or cancelled. */
export const DISASTER_BULLETIN_REPEAT: EmergencyRepeat = {
  kind: 'every-hours-on-the-hour',
  hours: DISASTER_BULLETIN_EVERY_HOURS,
} as const;

/** The commune's own emergency repeat (its count and interval, 3 × 10 min unless configured). */
export const emergencyRepeatFromRules = (rules: CommuneRules): EmergencyRepeat => ({
  kind: 'times',
  count: rules.emergency.repeatCount,
  intervalMin: rules.emergency.repeatIntervalMin,
});

export interface EmergencyOptions {
  /** Zone whose wall clock defines "on the hour"; zones with half-hour offsets differ from UTC. */
  readonly timeZone?: string;
  /** When the emergency was cancelled or replaced: nothing airs from then on. */
  readonly cancelledAt?: number;
}

/**
 * The airings of an emergency first aired at `at`, inside `window` and before any cancellation.
 * `times`: `count` airings `intervalMin` apart from `at`. `every-hours-on-the-hour`: `at`, then every
 * `hours` hours on the local hour counted from `at`'s hour (07:23 → 09:00, 11:00 …), bounded by the
 * window, since it only stops when cancelled.
 * @example
 * expandEmergency(t0, DEFAULT_EMERGENCY_REPEAT, { from: t0, to: t0 + 86_400_000 }) // → [t0, t0+10 min, t0+20 min]
 */
export const expandEmergency = (
  at: number,
  repeat: EmergencyRepeat,
  window: TimeWindow,
  options: EmergencyOptions = {},
): readonly number[] => {
  const end = Math.min(window.to, options.cancelledAt ?? Number.POSITIVE_INFINITY);
  const keep = (t: number): boolean => t >= window.from && t < end;
  if (repeat.kind === 'times') {
    const count = Math.max(0, Math.floor(repeat.count));
    const stepMs = Math.max(0, repeat.intervalMin) * MINUTE_MS;
    return Array.from({ length: count }, (_, i) => at + i * stepMs).filter(keep);
  }
  const stepMs =
    (Number.isFinite(repeat.hours) && repeat.hours >= 1
      ? Math.floor(repeat.hours)
      : DISASTER_BULLETIN_EVERY_HOURS) * HOUR_MS;
  const offset = offsetAt(at, options.timeZone ?? DEFAULT_TIME_ZONE);
  const hourStart = at - ((((at + offset) % HOUR_MS) + HOUR_MS) % HOUR_MS);
  const times = keep(at) ? [at] : [];
  // Skip straight to the window: a bulletin may have been running for days.
  const firstK = Math.max(1, Math.ceil((window.from - hourStart) / stepMs));
  for (let t = hourStart + firstK * stepMs; t < end; t += stepMs) {
    if (keep(t)) times.push(t);
  }
  return times;
};
