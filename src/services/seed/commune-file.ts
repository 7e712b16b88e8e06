import { z } from 'zod';
import { slotsInQuietHours } from '../../domain/commune.js';
import { hamletNameKey } from '../../domain/hamlet.js';

const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time HH:MM, e.g. "05:30"');

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as "Asia/Ho_Chi_Minh"');

const id = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,47}$/,
    'must be lowercase letters, digits and dashes (at most 48), e.g. "un-ta"',
  );

const name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200)
  .transform((s) => s.normalize('NFC'));

const languageCode = z
  .string()
  .regex(/^[a-z]{2,8}(-[a-z0-9]{1,8})*$/, 'must be a language code such as "vi" or "giay"');

export const slotSchema = z.strictObject({
  name: id.describe('Machine name used by the API, e.g. "morning"'),
  label: name.describe('Name shown to people, e.g. "Buổi sáng"'),
  start: localTime,
  end: localTime,
  maxAirTimeMin: z.number().int().min(1).max(180).default(45),
  relay: z
    .strictObject({ url: z.url({ protocol: /^https?$/ }), durationS: z.number().int().min(1).max(3600) })
    .optional(),
});

export const quietHoursSchema = z.strictObject({ start: localTime, end: localTime });

const audioTargetFields = {
  integratedLufs: z.number().min(-30).max(-10),
  truePeakDbtp: z.number().min(-9).max(0),
  maxLraLu: z.number().min(3).max(20),
  opus: z.boolean(),
};

export const audioTargetsSchema = z.strictObject({
  integratedLufs: audioTargetFields.integratedLufs.default(-16),
  truePeakDbtp: audioTargetFields.truePeakDbtp.default(-1.5),
  maxLraLu: audioTargetFields.maxLraLu.default(8),
  opus: audioTargetFields.opus.default(false),
});

const emergencyFields = {
  repeatCount: z.number().int().min(1).max(20),
  repeatIntervalMin: z.number().int().min(1).max(240),
};

export const emergencySchema = z.strictObject({
  repeatCount: emergencyFields.repeatCount.default(3),
  repeatIntervalMin: emergencyFields.repeatIntervalMin.default(10),
});

/** Slot names are unique and every slot ends after it starts. */
export const slotsSchema = z
  .array(slotSchema)
  .min(1)
  .superRefine((slots, ctx) => {
    const names = new Set<string>();
    slots.forEach((s, i) => {
      if (names.has(s.name))
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate slot "${s.name}"` });
      names.add(s.name);
      if (s.end <= s.start)
        ctx.addIssue({ code: 'custom', path: [i, 'end'], message: 'must be after start' });
    });
  });

/** What an admin may change in the app: the commune's broadcasting rules, not its identity. */
export const communeSettingsPatchSchema = z.strictObject({
  quietHours: quietHoursSchema.optional(),
  approvalRequired: z.boolean().optional(),
  // Only the fields sent change: no defaults here, which would reset the ones left out.
  audio: z.strictObject(audioTargetFields).partial().optional(),
  emergency: z.strictObject(emergencyFields).partial().optional(),
  slots: slotsSchema.optional(),
  /** The public listen-again page and feed: on or off, and which announcement categories (null: all). */
  listenAgain: z
    .strictObject({
      enabled: z.boolean(),
      categories: z
        .array(z.string().trim().min(1).max(50))
        .max(50)
        .transform((c) => [...new Set(c)])
        .nullable(),
    })
    .optional(),
});

/** The commune as data: `schedules/<commune>.json`. Its JSON Schema is exported beside it. */
export const communeFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    commune: z.strictObject({
      id,
      name,
      code: z.string().regex(/^\d{5}$/, 'must be the 5-digit commune code, e.g. "02746"'),
      provinceCode: z.string().regex(/^\d{2}$/, 'must be the 2-digit province code, e.g. "15"'),
      timeZone: timeZone.default('Asia/Ho_Chi_Minh'),
      quietHours: quietHoursSchema.default({ start: '21:30', end: '05:30' }),
      approvalRequired: z.boolean().default(true),
      audio: audioTargetsSchema.prefault({}),
      emergency: emergencySchema.prefault({}),
      slots: slotsSchema,
    }),
    languages: z.array(z.strictObject({ code: languageCode, name })).min(1),
    hamlets: z
      .array(
        z.strictObject({
          id,
          name,
          languages: z.array(languageCode).min(1),
          lat: z.number().min(-90).max(90).optional(),
          lon: z.number().min(-180).max(180).optional(),
          example: z.boolean().default(false).describe('true for placeholder data of the example commune'),
        }),
      )
      .min(1),
    receivers: z
      .array(z.strictObject({ id, hamletId: id, name, example: z.boolean().default(false) }))
      .default([]),
  })
  .superRefine((file, ctx) => {
    for (const slot of slotsInQuietHours(file.commune.slots, file.commune.quietHours)) {
      ctx.addIssue({
        code: 'custom',
        path: ['commune', 'slots', file.commune.slots.indexOf(slot), 'start'],
        message: `slot "${slot.name}" (${slot.start}–${slot.end}) runs into the quiet hours ${file.commune.quietHours.start}–${file.commune.quietHours.end}`,
      });
    }
    const languages = new Set(file.languages.map((l) => l.code));
    const seen = new Map<string, number>();
    const named = new Map<string, number>();
    file.hamlets.forEach((hamlet, i) => {
      const first = seen.get(hamlet.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['hamlets', i, 'id'],
          message: `duplicate hamlet id "${hamlet.id}" (already used by hamlets[${first}])`,
        });
      } else seen.set(hamlet.id, i);
      // As in the app: two hamlets of one name would be told apart in no schedule or report.
      const twin = named.get(hamletNameKey(hamlet.name));
      if (twin !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['hamlets', i, 'name'],
          message: `duplicate hamlet name "${hamlet.name}" (hamlets[${twin}] is "${file.hamlets[twin]!.name}"); hamlets of a commune need names that differ in more than letter case`,
        });
      } else named.set(hamletNameKey(hamlet.name), i);
      hamlet.languages.forEach((code, j) => {
        if (!languages.has(code)) {
          ctx.addIssue({
            code: 'custom',
            path: ['hamlets', i, 'languages', j],
            message: `unknown language code "${code}"; declare it in "languages" (known: ${[...languages].join(', ')})`,
          });
        }
      });
    });
    const receiverIds = new Set<string>();
    file.receivers.forEach((r, i) => {
      if (!seen.has(r.hamletId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['receivers', i, 'hamletId'],
          message: `unknown hamlet "${r.hamletId}"`,
        });
      }
      if (receiverIds.has(r.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['receivers', i, 'id'],
          message: `duplicate receiver id "${r.id}"`,
        });
      }
      receiverIds.add(r.id);
    });
  });

export type CommuneFile = z.output<typeof communeFileSchema>;

/** The province as data: `schedules/province.json`, naming the province the commune files point at. */
export const provinceFileSchema = z.strictObject({
  $schema: z.string().optional(),
  province: z.strictObject({
    id,
    code: z.string().regex(/^\d{2}$/, 'must be the 2-digit province code, e.g. "15"'),
    name,
  }),
});

export type ProvinceFile = z.output<typeof provinceFileSchema>;

export class CommuneFileError extends Error {
  override readonly name = 'CommuneFileError';
}

/**
 * Applies what a file says, naming the file in front of a refusal (`schedules/coc-san.json: commune.code:
 * …`) as its parse errors do: the same on Node and on the edge.
 */
export async function namingFile<T>(file: string, apply: () => Promise<T>): Promise<T> {
  try {
    return await apply();
  } catch (error) {
    if (error instanceof CommuneFileError) throw new CommuneFileError(`${file}: ${error.message}`);
    throw error;
  }
}

/**
 * Validates a parsed commune file. Errors name the file, the path inside it and what is wrong:
 * `schedules/coc-san.json: hamlets[3].languages[1]: unknown language code "xx"`.
 */
export function parseCommuneFile(fileName: string, text: string): CommuneFile {
  return parseWith(communeFileSchema, fileName, text);
}

/** Validates a province file, with errors as for a commune file. */
export function parseProvinceFile(fileName: string, text: string): ProvinceFile {
  return parseWith(provinceFileSchema, fileName, text);
}

/** Whether a file of `schedules/` describes the province (it has a top-level `province`). */
export function isProvinceFile(text: string): boolean {
  try {
    const json = JSON.parse(text) as unknown;
    return typeof json === 'object' && json !== null && 'province' in json;
  } catch {
    return false;
  }
}

function parseWith<S extends z.ZodType>(schema: S, fileName: string, text: string): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CommuneFileError(`${fileName}: not valid JSON: ${(error as Error).message}`);
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const lines = result.error.issues.map(
    (issue) => `${fileName}: ${formatPath(issue.path)}: ${issue.message}`,
  );
  throw new CommuneFileError(lines.join('\n'));
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

/** The JSON Schema written beside the commune files so editors can check them while typing. */
export function communeFileJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(communeFileSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}
