import type { Commune } from '../../domain/commune.js';
import { LoaError } from '../../domain/errors.js';
import type { Clock } from '../../domain/ports/clock.js';
import { hashToken, type IdGenerator } from '../../domain/ports/ids.js';
import type { PasswordHasher } from '../../domain/ports/passwords.js';
import type { Repositories, UnitOfWork } from '../../domain/ports/repositories.js';
import type { AuditTrail } from '../audit.service.js';
import { assertAiringsKept, assertSlotsKept, languagesStillUsed } from '../commune-rules.js';
import { CommuneFileError, type CommuneFile, type ProvinceFile } from './commune-file.js';

interface Deps {
  readonly tx: UnitOfWork;
  readonly audit: AuditTrail;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly passwords: PasswordHasher;
}

export interface SeedSummary {
  readonly commune: 'inserted' | 'updated' | 'unchanged';
  readonly hamletsAdded: readonly string[];
  readonly receiversAdded: readonly string[];
}

export function communeFromFile(file: CommuneFile, provinceId: string): Commune {
  const { commune } = file;
  return {
    id: commune.id,
    name: commune.name,
    code: commune.code,
    provinceCode: commune.provinceCode,
    provinceId,
    timeZone: commune.timeZone,
    settings: {
      quietHours: commune.quietHours,
      approvalRequired: commune.approvalRequired,
      slots: commune.slots,
      audio: commune.audio,
      emergency: commune.emergency,
      languages: file.languages,
    },
  };
}

/**
 * What people booked and set up in the app holds a re-applied file back, as it holds back the same change
 * made in the app: an airing to come that the file's rules (quiet hours, slots, time zone) would break, a
 * series in a slot the file drops, a language the file drops that a hamlet still broadcasts in.
 */
async function assertFileKeepsWhatIsBooked(
  r: Repositories,
  before: Commune,
  after: Commune,
  clock: Clock,
): Promise<void> {
  const changed = (['timeZone', 'quietHours', 'slots'] as const).filter(
    (k) =>
      JSON.stringify(k === 'timeZone' ? before.timeZone : before.settings[k]) !==
      JSON.stringify(k === 'timeZone' ? after.timeZone : after.settings[k]),
  );
  const field = async (name: string, check: () => Promise<void>) => {
    try {
      await check();
    } catch (error) {
      if (error instanceof LoaError) throw new CommuneFileError(`${name}: ${error.detail}`);
      throw error;
    }
  };
  await field('commune.slots', () => assertSlotsKept(r, before, after.settings.slots));
  if (changed.length > 0) {
    await field(`commune.${changed[0]}`, () => assertAiringsKept(r, before, after, clock.now().getTime()));
  }
  const used = await languagesStillUsed(r, before, after);
  if (used.length > 0) {
    const { code, hamletIds } = used[0]!;
    throw new CommuneFileError(
      `languages: "${code}" is still a language of hamlet(s) ${hamletIds.map((h) => `"${h}"`).join(', ')}; keep it in the file, or remove it from those hamlets in the app first`,
    );
  }
}

/**
 * Applies a commune file idempotently: the commune's settings follow the file; hamlets and receivers
 * missing from the database are added; nothing that users created or changed is deleted or overwritten.
 */
export function createSeedService(deps: Deps) {
  const { clock } = deps;
  return {
    /** Names the province (a province file); its communes keep pointing at it. */
    applyProvinceFile: (file: ProvinceFile) =>
      deps.tx((r) => r.provinces.upsertProvince(file.province, clock.now().toISOString())),

    applyCommuneFile: (file: CommuneFile): Promise<SeedSummary> =>
      deps.tx(async (repos) => {
        const now = clock.now().toISOString();
        // A commune file names its province by code; the province file, when there is one, names it.
        const code = file.commune.provinceCode;
        const province =
          (await repos.provinces.findProvinceByCode(code)) ??
          (await repos.provinces.upsertProvince({ id: `p${code}`, code, name: `Tỉnh ${code}` }, now));
        const id = file.commune.id;
        const sameCode = await repos.communes.findCommuneByCode(file.commune.code);
        if (sameCode && sameCode.id !== id) {
          throw new CommuneFileError(
            `commune.code: ${file.commune.code} is the code of commune "${sameCode.id}"`,
          );
        }
        const before = await repos.communes.findCommune(id);
        const commune = await repos.communes.upsertCommune(communeFromFile(file, province.id), now);
        if (before && commune === 'updated') {
          await assertFileKeepsWhatIsBooked(repos, before, (await repos.communes.findCommune(id))!, clock);
        }
        // An id of another commune's hamlet or box would put this file's boxes in that commune.
        const otherCommune = async (hamletId: string) => {
          const of = await repos.hamlets.findCommuneOfHamlet(hamletId);
          return of !== undefined && of !== id ? of : undefined;
        };
        const hamletsAdded: string[] = [];
        for (const [i, hamlet] of file.hamlets.entries()) {
          const other = await otherCommune(hamlet.id);
          if (other) {
            throw new CommuneFileError(`hamlets[${i}].id: "${hamlet.id}" is a hamlet of commune "${other}"`);
          }
          if (await repos.hamlets.isIdTaken(hamlet.id)) continue;
          // A hamlet made or renamed in the app may have the name under another id.
          const refuseNamesake = async () => {
            const namesake = await repos.hamlets.findHamletNamed(id, hamlet.name);
            if (namesake) {
              throw new CommuneFileError(
                `hamlets[${i}].name: "${hamlet.name}" is the name of hamlet "${namesake.id}" ("${namesake.name}") of the commune; rename one of them`,
              );
            }
          };
          await refuseNamesake();
          const inserted = await repos.hamlets.insertHamlet(
            {
              id: hamlet.id,
              communeId: id,
              name: hamlet.name,
              languages: hamlet.languages,
              lat: hamlet.lat ?? null,
              lon: hamlet.lon ?? null,
              isExample: hamlet.example,
            },
            now,
          );
          // Taken at the same moment: the name by the app, or the id by another instance seeding too.
          if (!inserted) {
            await refuseNamesake();
            continue;
          }
          hamletsAdded.push(hamlet.id);
        }
        const receiversAdded: string[] = [];
        for (const [i, receiver] of file.receivers.entries()) {
          const existing = await repos.receivers.findReceiver(receiver.id);
          const other = existing && (await otherCommune(existing.hamletId));
          if (other) {
            throw new CommuneFileError(`receivers[${i}].id: "${receiver.id}" is a box of commune "${other}"`);
          }
          if (existing) continue;
          // The file's hamlets are all there by now, unless one was deleted in the app: a box put there
          // could neither play nor be managed.
          if (!(await repos.hamlets.findHamlet(receiver.hamletId))) {
            throw new CommuneFileError(
              `receivers[${i}].hamletId: hamlet "${receiver.hamletId}" was deleted in the app; name another hamlet`,
            );
          }
          // Seeded devices get a secret nobody knows; an admin rotates it to enrol a real box.
          await repos.receivers.insertReceiver(
            {
              id: receiver.id,
              hamletId: receiver.hamletId,
              name: receiver.name,
              tokenHash: await hashToken(deps.ids.token()),
              isExample: receiver.example,
            },
            now,
          );
          receiversAdded.push(receiver.id);
        }
        if (commune !== 'unchanged' || hamletsAdded.length > 0 || receiversAdded.length > 0) {
          await deps.audit.record(repos, {
            actor: null,
            requestId: null,
            action: 'seed.apply',
            targetType: 'commune',
            targetId: id,
            details: { commune, hamletsAdded, receiversAdded },
          });
        }
        return { commune, hamletsAdded, receiversAdded };
      }),

    /**
     * First start: creates the commune's `admin` and the province's `tinh` (province admin, who adds
     * communes and their admins), each with the given password or a generated one that the caller prints
     * once. Does nothing when any user exists.
     */
    async ensureFirstUsers(
      communeId: string,
      passwords: { readonly admin?: string | undefined; readonly provinceAdmin?: string | undefined },
    ): Promise<{ readonly generated: readonly { username: string; password: string }[] } | null> {
      const first = [
        { username: 'admin', displayName: 'Quản trị viên', role: 'admin', given: passwords.admin },
        {
          username: 'tinh',
          displayName: 'Quản trị viên tỉnh',
          role: 'province_admin',
          given: passwords.provinceAdmin,
        },
      ] as const;
      const users = await Promise.all(
        first.map(async (u) => {
          const secret = u.given ?? deps.ids.token().slice(0, 20);
          return { ...u, secret, passwordHash: await deps.passwords.hash(secret) };
        }),
      );
      return deps.tx(async (repos) => {
        if ((await repos.users.countUsers()) > 0) return null;
        const now = clock.now().toISOString();
        for (const u of users) {
          const id = deps.ids.id();
          await repos.users.insertUser(
            {
              id,
              username: u.username,
              displayName: u.displayName,
              passwordHash: u.passwordHash,
              role: u.role,
              communeId,
              hamletIds: [],
            },
            now,
          );
          await deps.audit.record(repos, {
            actor: null,
            requestId: null,
            action: 'user.create',
            targetType: 'user',
            targetId: id,
            details: { username: u.username, role: u.role, bootstrap: true },
          });
        }
        return {
          generated: users
            .filter((u) => u.given === undefined)
            .map((u) => ({ username: u.username, password: u.secret })),
        };
      });
    },
  };
}

export type SeedService = ReturnType<typeof createSeedService>;
