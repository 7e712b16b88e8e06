import { MAX_TEXT_CHARS } from '../announcement.js';
import type { HazardType, RiskLevel } from '../disaster.js';
import { capReferences, type CapAlert, type CapArea, type CapInfo } from './alert.js';

/**
 * How a CAP alert becomes an airing, as pure rules: which of its `info` blocks is read, at which Loa
 * level, on which hamlets, with which words, at which QĐ 18/2021 risk level and for which hazard.
 */

/**
 * What Loa does with an alert: air it at once as an emergency (a repeating disaster bulletin), place it
 * first in the commune's next standing slot as a priority item, or put it in the officer's review queue.
 */
export type CapLevel = 'emergency' | 'priority' | 'review';

/**
 * The info block to read: the first in Vietnamese, else the first (CAP lets an alert carry one block
 * per language).
 */
export const chooseInfo = (alert: CapAlert): CapInfo | undefined =>
  alert.info.find((i) => i.language.toLowerCase().startsWith('vi')) ?? alert.info[0];

const EMERGENCY_SEVERITY = new Set(['Extreme', 'Severe']);
const EMERGENCY_URGENCY = new Set(['Immediate', 'Expected']);
const EMERGENCY_CERTAINTY = new Set(['Observed', 'Likely']);
const PRIORITY_SEVERITY = new Set(['Extreme', 'Severe', 'Moderate']);
const PRIORITY_URGENCY = new Set(['Immediate', 'Expected', 'Future']);

/**
 * Severity, urgency and certainty to a Loa level, for an Observed or Likely actual alert: Extreme or
 * Severe and Immediate or Expected airs by itself as an emergency (khẩn cấp); Moderate, or Future, goes
 * first into the next standing slot (ưu tiên). Everything else (Minor, Unknown, Past, Possible,
 * Unlikely …) waits for an officer, who may attach a recording, air it, or leave it. Exercises, tests,
 * drafts and system messages never air.
 * @example capLevel('Actual', { severity: 'Severe', urgency: 'Immediate', certainty: 'Observed' }) // → 'emergency'
 */
export function capLevel(
  status: CapAlert['status'],
  info: Pick<CapInfo, 'severity' | 'urgency' | 'certainty'>,
): CapLevel {
  if (status !== 'Actual' || !EMERGENCY_CERTAINTY.has(info.certainty)) return 'review';
  if (EMERGENCY_SEVERITY.has(info.severity) && EMERGENCY_URGENCY.has(info.urgency)) return 'emergency';
  if (PRIORITY_SEVERITY.has(info.severity) && PRIORITY_URGENCY.has(info.urgency)) return 'priority';
  return 'review';
}

/** Longest description read after the headline and the instruction; a longer one is left to the officer. */
export const MAX_SPOKEN_DESCRIPTION = 600;

// Never read aloud: addresses, markup, and runs of symbols a speech engine spells out.
const unspeakable = /(https?:\/\/|www\.)\S+|<[^>]*>|[{}[\]<>|\\^~`]+/giu;

/**
 * The words to speak: the headline, the instruction and, when short, the description, each cleaned of
 * web addresses and markup (speech engines read them letter by letter), and no longer than a typed text
 * may be. Null when nothing speakable is left.
 */
export function capSpeechText(
  info: Pick<CapInfo, 'headline' | 'instruction' | 'description' | 'event'>,
): string | null {
  const clean = (s: string | undefined) =>
    (s ?? '')
      .replace(unspeakable, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/[.!?…]*$/u, '');
  const description = clean(info.description);
  const parts = [
    clean(info.headline) || clean(info.event),
    clean(info.instruction),
    description.length <= MAX_SPOKEN_DESCRIPTION ? description : '',
  ].filter((p) => p.length > 0);
  if (parts.length === 0) return null;
  let text = `${parts.join('. ')}.`;
  if ([...text].length > MAX_TEXT_CHARS) text = `${parts.slice(0, 2).join('. ')}.`;
  return [...text].length > MAX_TEXT_CHARS ? null : text;
}

/**
 * The QĐ 18/2021 risk level: a parameter that names it (`riskLevel`, `capDoRuiRo`, `VN-RiskLevel`, 1–5)
 * when the sender gives one, else from the CAP severity (Extreme 4, Severe 3, Moderate 2, else 1).
 */
export function capRiskLevel(info: Pick<CapInfo, 'parameter' | 'severity'>): RiskLevel {
  const given = info.parameter.find((p) =>
    /^(riskLevel|capDoRuiRo|cap-do-rui-ro|VN-RiskLevel)$/i.test(p.valueName),
  );
  const n = given ? Number(given.value) : NaN;
  if (Number.isInteger(n) && n >= 1 && n <= 5) return n as RiskLevel;
  return ({ Extreme: 4, Severe: 3, Moderate: 2, Minor: 1, Unknown: 1 } as const)[info.severity];
}

const HAZARD_WORDS: readonly [RegExp, HazardType][] = [
  [/áp thấp|depression/iu, 'tropical_depression'],
  [/bão|typhoon|storm|cyclone/iu, 'storm'],
  [/lũ quét|flash ?flood/iu, 'flash_flood'],
  [/sạt lở|landslide|mudslide/iu, 'landslide'],
  [/ngập|inundation/iu, 'inundation'],
  [/lũ|flood/iu, 'flood'],
  [/mưa lớn|heavy rain/iu, 'heavy_rain'],
  [/lốc|sét|mưa đá|thunder|hail|tornado/iu, 'thunderstorm'],
  [/rét|cold/iu, 'cold_spell'],
  [/nắng nóng|heat/iu, 'heat_wave'],
  [/hạn hán|drought/iu, 'drought'],
  [/xâm nhập mặn|salin/iu, 'saline_intrusion'],
  [/cháy rừng|wildfire|forest fire|fire/iu, 'forest_fire'],
  [/động đất|earthquake/iu, 'earthquake'],
  [/sóng thần|tsunami/iu, 'tsunami'],
];

/** The hazard named by the info's event (Vietnamese or English words), else "other". */
export function capHazardType(info: Pick<CapInfo, 'event' | 'headline'>): HazardType {
  const words = `${info.event} ${info.headline ?? ''}`;
  return HAZARD_WORDS.find(([re]) => re.test(words))?.[1] ?? 'other';
}

/** A hamlet as the area rules read it. */
export interface PlacedHamlet {
  readonly id: string;
  readonly lat: number | null;
  readonly lon: number | null;
}

const EARTH_RADIUS_KM = 6371.0088;

const pairs = (s: string): [number, number][] =>
  s
    .trim()
    .split(/\s+/)
    .map((p) => p.split(',').map(Number) as [number, number]);

/** Ray casting on (lat, lon) as a plane: fine for a commune-sized polygon away from the poles and ±180°. */
function insidePolygon(lat: number, lon: number, ring: readonly [number, number][]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [yi, xi] = ring[i]!;
    const [yj, xj] = ring[j]!;
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Great-circle distance in kilometres (haversine). */
export function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(a));
}

/** Geocode names that name a hamlet by its Loa id, and those that name a commune or province by code. */
const HAMLET_CODES = /^(loa-hamlet|hamlet|thon)$/i;
const COMMUNE_CODES = /^(VN-commune|commune|ma-xa|VN-xa)$/i;
const PROVINCE_CODES = /^(VN-province|province|ma-tinh|VN-tinh)$/i;

/**
 * The hamlets of one commune an alert's areas reach: by coordinates (a hamlet inside a polygon or a
 * circle) or by geocode (the hamlet's id, or the code of its commune or province). An alert with no
 * area reaches the whole commune (the sender meant everywhere it sends to).
 * @example hamletsInAreas([{ areaDesc: 'Cốc San', polygon: [], circle: [], geocode: [{ valueName: 'VN-commune', value: '02746' }] }],
 *   hamlets, { communeCode: '02746', provinceCode: '15' }) // → every hamlet id
 */
export function hamletsInAreas(
  areas: readonly CapArea[],
  hamlets: readonly PlacedHamlet[],
  codes: { readonly communeCode: string; readonly provinceCode: string },
): readonly string[] {
  if (areas.length === 0) return hamlets.map((h) => h.id);
  const reached = new Set<string>();
  for (const area of areas) {
    for (const g of area.geocode) {
      if (
        (COMMUNE_CODES.test(g.valueName) && g.value === codes.communeCode) ||
        (PROVINCE_CODES.test(g.valueName) && g.value === codes.provinceCode)
      )
        for (const h of hamlets) reached.add(h.id);
      if (HAMLET_CODES.test(g.valueName)) for (const h of hamlets) if (h.id === g.value) reached.add(h.id);
    }
    const rings = area.polygon.map(pairs);
    const circles = area.circle.map((c) => {
      const [centre, radius] = c.trim().split(/\s+/);
      const [lat, lon] = centre!.split(',').map(Number) as [number, number];
      return { lat, lon, radiusKm: Number(radius) };
    });
    for (const h of hamlets) {
      if (h.lat === null || h.lon === null) continue;
      const { lat, lon } = h;
      if (rings.some((ring) => insidePolygon(lat, lon, ring))) reached.add(h.id);
      if (circles.some((c) => distanceKm(lat, lon, c.lat, c.lon) <= c.radiusKm)) reached.add(h.id);
    }
  }
  return hamlets.map((h) => h.id).filter((id) => reached.has(id));
}

/** When an alert stops airing: the earliest `expires` of its info blocks, or null when none says. */
export function capExpiry(alert: CapAlert): number | null {
  const times = alert.info.flatMap((i) => (i.expires ? [Date.parse(i.expires)] : []));
  return times.length === 0 ? null : Math.min(...times);
}

/** The key duplicates share (§3.2.1: sender, identifier and sent identify a message). */
export const capKey = (a: {
  readonly sender: string;
  readonly identifier: string;
  readonly sent: string;
}): string => {
  // One moment written with different offsets is one message; a reference with a garbled time keeps it as written.
  const at = Date.parse(a.sent);
  return `${a.sender},${a.identifier},${Number.isNaN(at) ? a.sent : new Date(at).toISOString()}`;
};

/**
 * The references of an Update or Cancel that name another sender's message, as written. A message takes
 * off only its own sender's alerts: a province polls several feeds, and a wrong or hostile one must not
 * stop another authority's alert. Other message types (Ack, Error) may name anyone's.
 */
export function capForeignReferences(alert: CapAlert): readonly string[] {
  if (alert.msgType !== 'Update' && alert.msgType !== 'Cancel') return [];
  return capReferences(alert.references)
    .filter((r) => r.sender !== alert.sender)
    .map((r) => `${r.sender},${r.identifier},${r.sent}`);
}
