import type { Config } from '../config/config.js';
import { DEFAULT_BRANDING, SETTING_KEYS, type Settings } from '../domain/settings.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import type { SettingsRepository } from '../repositories/settings.js';
import type { Actor } from '../domain/actor.js';
import type { AuditService } from './audit.js';
import type { Transact } from '../db/database.js';
import { systemClock, type Clock } from '../util/clock.js';

/** A change to the settings: any field; an object field may give only some of its members. */
export type SettingsPatch = {
  [K in keyof Settings]?: Settings[K] extends unknown[]
    ? Settings[K]
    : Settings[K] extends object
      ? Partial<Settings[K]>
      : Settings[K];
};

/** The patch over `current`: object fields are merged member by member. */
function applyPatch(current: Settings, patch: SettingsPatch): Partial<Settings> {
  return Object.fromEntries(
    Object.entries(patch)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => {
        const base = current[key as keyof Settings];
        return [
          key,
          value !== null && typeof value === 'object' && !Array.isArray(value)
            ? { ...(base as object), ...value }
            : value,
        ];
      }),
  ) as Partial<Settings>;
}

/**
 * The fallback: every instance reads the settings again when a change is announced
 * (`load`, from the change notices); at the latest this long after its last read.
 */
const REFRESH_MS = 30_000;

export function defaultSettings(config: Config): Settings {
  return {
    passwordPolicy: { ...config.passwordPolicy, requireClasses: [...config.passwordPolicy.requireClasses] },
    lockout: { ...config.lockout },
    mfa: { requiredRoles: [...config.mfa.requiredRoles], maxAttempts: config.mfa.maxAttempts },
    impersonationTtl: config.impersonationTtl,
    duplicateEmails: false,
    auditRetentionDays: null,
    defaultLanguage: 'en',
    selfRegistration: { enabled: false, approval: 'required', allowedDomains: [] },
    requiredFields: [],
    branding: { ...DEFAULT_BRANDING },
  };
}

/**
 * The settings in force: the environment's defaults under what a super admin
 * stored. `current()` answers from memory at once; every instance reads the stored
 * values again when a change is announced (`load`), and in the background after
 * REFRESH_MS. A read overtaken by a later one (or by `update`) is dropped.
 */
export function createSettingsService(deps: {
  transact: Transact;
  settings: SettingsRepository;
  audit: AuditService;
  defaults: Settings;
  clock?: Clock;
}) {
  const { clock = systemClock } = deps;
  let current: Settings = deps.defaults;
  let loadedAt = 0;
  let loading: Promise<void> | undefined;
  /** Reads started, and the latest whose result is in `current`. */
  let started = 0;
  let applied = 0;

  const merge = (stored: Record<string, unknown>): Settings =>
    Object.freeze({
      ...deps.defaults,
      ...Object.fromEntries(SETTING_KEYS.filter((k) => k in stored).map((k) => [k, stored[k]])),
    }) as Settings;

  async function load(): Promise<void> {
    const n = ++started;
    const stored = await deps.settings.all();
    if (n < applied) return;
    applied = n;
    current = merge(stored);
    loadedAt = clock.now().getTime();
  }

  return {
    load,

    current(): Settings {
      if (!loading && clock.now().getTime() - loadedAt > REFRESH_MS) {
        loading = load()
          .catch(() => undefined)
          .finally(() => (loading = undefined));
      }
      return current;
    },

    /** The stored settings, read again now (an API read must not lag behind another instance). */
    async fresh(): Promise<Settings> {
      await load();
      return current;
    },

    /**
     * Applies a patch (an object field may give only some of its members), under a
     * lock, audited with old and new values. Turning duplicate emails off again
     * needs every email to be unique.
     */
    async update(patch: SettingsPatch, actor: Actor, ip: string | null = null): Promise<Settings> {
      const next = await deps.transact(async (trx) => {
        await deps.settings.lock(trx);
        const before = merge(await deps.settings.all(trx));
        const after = merge({ ...before, ...applyPatch(before, patch) });
        const { minLength, maxLength } = after.passwordPolicy;
        assertThat(minLength <= maxLength, fail('settings.invalid', { minLength, maxLength }));
        const changed = SETTING_KEYS.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
        if (!changed.length) return after;
        if (before.duplicateEmails !== after.duplicateEmails) {
          if (!after.duplicateEmails) {
            assertThat(!(await deps.settings.hasDuplicateEmails(trx)), fail('settings.duplicate_emails_exist'));
          }
          await deps.settings.enforceUniqueEmails(!after.duplicateEmails, trx);
        }
        await deps.settings.put(Object.fromEntries(changed.map((k) => [k, after[k]])), trx);
        await deps.audit.record(
          {
            actor,
            ip,
            action: 'settings.changed',
            targetType: 'settings',
            changes: Object.fromEntries(changed.map((k) => [k, [before[k], after[k]]])),
          },
          trx,
        );
        return after;
      });
      current = next;
      applied = ++started;
      loadedAt = clock.now().getTime();
      return next;
    },
  };
}
export type SettingsService = ReturnType<typeof createSettingsService>;
