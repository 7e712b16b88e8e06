/** A duration in words, Vietnamese and English, rounded up to the second so an excess is never understated. */
export interface DurationWords {
  readonly vi: string;
  readonly en: string;
}

/**
 * Spell a duration for a message.
 * @example formatDuration(65_000) // → { vi: '1 phút 5 giây', en: '1 min 5 s' }
 */
export const formatDuration = (ms: number): DurationWords => {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const vi: string[] = [];
  const en: string[] = [];
  if (h > 0) (vi.push(`${h} giờ`), en.push(`${h} h`));
  if (m > 0) (vi.push(`${m} phút`), en.push(`${m} min`));
  if (s > 0 || total === 0) (vi.push(`${s} giây`), en.push(`${s} s`));
  return { vi: vi.join(' '), en: en.join(' ') };
};
