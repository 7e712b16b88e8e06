import type { CommuneSettings } from '../../../domain/commune.js';
import { DEFAULT_LISTEN_AGAIN } from '../../../domain/listen-again.js';
import { one, type FormProblem, type FormValues } from '../forms.js';
import { messages, type Lang } from '../i18n.js';
import { decimal, shown } from '../input.js';

// The settings form: one control per editable value; a standing slot's controls carry its fixed name.
export const slotField = (slot: string, key: 'label' | 'start' | 'end' | 'maxAirTimeMin') =>
  `slot-${slot}-${key}`;

/** The value a control had when the page was shown (`was-…`), carried by the form. */
export const wasField = (name: string) => `was-${name}`;

/** The version of the settings the page was shown with, carried by the form. */
export const versionField = 'version';

const yesNo = (value: string): boolean | string => (value === 'yes' ? true : value === 'no' ? false : value);

/** The form's values for the stored settings. */
export function settingsValues(s: CommuneSettings, lang: Lang): Record<string, string> {
  const values: Record<string, string> = {
    quietStart: s.quietHours.start,
    quietEnd: s.quietHours.end,
    approvalRequired: s.approvalRequired ? 'yes' : 'no',
    integratedLufs: shown(s.audio.integratedLufs, lang),
    truePeakDbtp: shown(s.audio.truePeakDbtp, lang),
    maxLraLu: shown(s.audio.maxLraLu, lang),
    opus: s.audio.opus ? 'yes' : 'no',
    repeatCount: String(s.emergency.repeatCount),
    repeatIntervalMin: String(s.emergency.repeatIntervalMin),
    listenAgain: (s.listenAgain ?? DEFAULT_LISTEN_AGAIN).enabled ? 'yes' : 'no',
    listenAgainCategories: (s.listenAgain?.categories ?? [])
      .map((c) => messages[lang].categories[c] ?? c)
      .join(', '),
  };
  for (const slot of s.slots) {
    values[slotField(slot.name, 'label')] = slot.label;
    values[slotField(slot.name, 'start')] = slot.start;
    values[slotField(slot.name, 'end')] = slot.end;
    values[slotField(slot.name, 'maxAirTimeMin')] = String(slot.maxAirTimeMin);
  }
  return values;
}

/** Whether the admin changed the control on the page (a form without what it showed: yes). */
const typedOver = (form: FormValues, name: string) =>
  form[wasField(name)] === undefined || one(form, name).trim() !== one(form, wasField(name)).trim();

/**
 * The patch the form asks for, unchecked: the service's own schema (`communeSettingsPatchSchema`) decides.
 * Only what the admin changed on the page is sent, each group whole: a setting another admin saved
 * meanwhile stays as they left it (a form without the shown values sends everything). Slots keep their
 * names and anything the form does not show (a relay).
 */
export function patchOf(form: FormValues, s: CommuneSettings, lang: Lang) {
  const changed = (...names: string[]) => names.some((n) => typedOver(form, n));
  const slotFields = (name: string) =>
    (['label', 'start', 'end', 'maxAirTimeMin'] as const).map((k) => slotField(name, k));
  const categories = one(form, 'listenAgainCategories')
    .split(',')
    .map((c) => categoryCode(c.trim(), lang))
    .filter(Boolean);
  return {
    // A form from before the setting existed leaves it as it is.
    ...(one(form, 'listenAgain') !== '' &&
      changed('listenAgain', 'listenAgainCategories') && {
        listenAgain: {
          enabled: yesNo(one(form, 'listenAgain')),
          categories: categories.length > 0 ? categories : null,
        },
      }),
    ...(changed('quietStart', 'quietEnd') && {
      quietHours: { start: one(form, 'quietStart').trim(), end: one(form, 'quietEnd').trim() },
    }),
    ...(changed('approvalRequired') && { approvalRequired: yesNo(one(form, 'approvalRequired')) }),
    ...(changed('integratedLufs', 'truePeakDbtp', 'maxLraLu', 'opus') && {
      audio: {
        integratedLufs: decimal(one(form, 'integratedLufs')),
        truePeakDbtp: decimal(one(form, 'truePeakDbtp')),
        maxLraLu: decimal(one(form, 'maxLraLu')),
        opus: yesNo(one(form, 'opus')),
      },
    }),
    ...(changed('repeatCount', 'repeatIntervalMin') && {
      emergency: {
        repeatCount: decimal(one(form, 'repeatCount')),
        repeatIntervalMin: decimal(one(form, 'repeatIntervalMin')),
      },
    }),
    ...(s.slots.some((slot) => changed(...slotFields(slot.name))) && {
      slots: s.slots.map((slot) =>
        changed(...slotFields(slot.name))
          ? {
              ...slot,
              label: one(form, slotField(slot.name, 'label')),
              start: one(form, slotField(slot.name, 'start')).trim(),
              end: one(form, slotField(slot.name, 'end')).trim(),
              maxAirTimeMin: decimal(one(form, slotField(slot.name, 'maxAirTimeMin'))),
            }
          : slot,
      ),
    }),
  };
}

/** A category as typed: its name as the page shows it ("Y tế") stands for its code (`y-te`). */
function categoryCode(typed: string, lang: Lang): string {
  const wanted = typed.normalize('NFC').toLocaleLowerCase('vi');
  const known = Object.entries(messages[lang].categories).find(
    ([code, name]) => code === wanted || name.toLocaleLowerCase('vi') === wanted,
  );
  return known ? known[0] : typed;
}

/** The form control a schema issue is about. */
export function controlOf(path: readonly PropertyKey[], s: CommuneSettings): string {
  const [group, key, sub] = path;
  if (group === 'quietHours') return key === 'start' ? 'quietStart' : 'quietEnd';
  if (group === 'listenAgain') return key === 'categories' ? 'listenAgainCategories' : 'listenAgain';
  if ((group === 'audio' || group === 'emergency') && typeof key === 'string') return key;
  if (group === 'slots' && typeof key === 'number') {
    const name = s.slots[key]?.name;
    if (name && (sub === 'label' || sub === 'start' || sub === 'end' || sub === 'maxAirTimeMin'))
      return slotField(name, sub);
  }
  return String(group ?? 'form');
}

const yesNoControls = ['approvalRequired', 'opus', 'listenAgain'];

/** The group a control is saved in: `patchOf` sends a group whole, so two admins meet per group. */
function groupOf(control: string): string {
  if (control === 'quietStart' || control === 'quietEnd') return 'quietHours';
  if (['integratedLufs', 'truePeakDbtp', 'maxLraLu', 'opus'].includes(control)) return 'audio';
  if (control === 'repeatCount' || control === 'repeatIntervalMin') return 'emergency';
  if (control === 'listenAgain' || control === 'listenAgainCategories') return 'listenAgain';
  const slot = /^slot-(.+)-(?:label|start|end|maxAirTimeMin)$/.exec(control);
  return slot ? `slot-${slot[1]}` : control;
}

/**
 * A save over settings changed since the page showed them, when it would overwrite one of those changes:
 * the form to show again (what the admin typed in the groups they changed, what is stored now in the
 * others, and the stored values and version as the ones shown) and the refusal that names each group
 * changed on both sides, with the new value under each control. None when the groups differ: the save
 * then goes on, and keeps the other's change.
 */
export function overwrittenMeanwhile(
  form: FormValues,
  stored: { readonly settings: CommuneSettings; readonly settingsVersion: number },
  lang: Lang,
): { readonly values: FormValues; readonly problem: FormProblem } | undefined {
  const m = messages[lang];
  const now = settingsValues(stored.settings, lang);
  const shownControls = Object.keys(form)
    .filter((k) => k.startsWith(wasField('')))
    .map((k) => k.slice(wasField('').length));
  const movedSince = (c: string) => (now[c] ?? '').trim() !== one(form, wasField(c)).trim();
  const mine = new Set(shownControls.filter((c) => typedOver(form, c)).map(groupOf));
  const both = new Set(shownControls.filter((c) => movedSince(c) && mine.has(groupOf(c))).map(groupOf));
  if (both.size === 0) return undefined;

  const values: Record<string, string> = { ...now, [versionField]: String(stored.settingsVersion) };
  for (const [c, value] of Object.entries(now)) values[wasField(c)] = value;
  for (const c of shownControls) if (mine.has(groupOf(c)) && now[c] !== undefined) values[c] = one(form, c);

  const shownAs = (c: string, value: string) =>
    value === ''
      ? m.changedMeanwhile.empty
      : yesNoControls.includes(c)
        ? value === 'yes'
          ? m.yes
          : m.no
        : value;
  const fields: Record<string, string> = {};
  for (const c of shownControls)
    if (both.has(groupOf(c)) && movedSince(c) && now[c] !== undefined)
      fields[c] = m.changedMeanwhile.newValue(shownAs(c, now[c]));
  const names = [...both].map((group) => {
    if (!group.startsWith('slot-')) return m.changedMeanwhile[group as 'quietHours'] ?? group;
    const name = group.slice('slot-'.length);
    return m.changedMeanwhile.slot(
      now[slotField(name, 'label')] ?? one(form, wasField(slotField(name, 'label'))),
    );
  });
  return { values, problem: { general: m.changedMeanwhile.refused(names.join(', ')), fields, status: 409 } };
}
