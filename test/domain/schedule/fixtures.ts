import type { CommuneRules } from '../../../src/domain/schedule/index.js';

/** Cốc San's rules as the design describes them: Vietnam time, 21:30–05:30 quiet, two 45-minute slots. */
export const rules: CommuneRules = {
  timeZone: 'Asia/Ho_Chi_Minh',
  quietHours: { start: '21:30', end: '05:30' },
  slots: [
    { name: 'morning', start: '05:00', end: '06:00', maxAirTimeS: 45 * 60 },
    { name: 'evening', start: '17:00', end: '18:00', maxAirTimeS: 45 * 60 },
  ],
  emergency: { repeatCount: 3, repeatIntervalMin: 10 },
};

export const utc = (iso: string): number => Date.parse(iso);
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
