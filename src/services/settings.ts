import type { Config } from '../config/config.js';
import { SETTING_KEYS, type Settings } from '../domain/settings.js';
import { AppError, assertThat } from '../errors/app-error.js';
import type { SettingsRepository } from '../repositories/settings.js';
import type { Actor, AuditService } from './audit.js';
import type { Transact } from './identity.js';

/** How long another instance may go on with settings a super admin has since changed. */
const REFRESH_MS = 5_000;

export function defaultSettings(config: Config): Settings {
  return {
    passwordPolicy: { ...config.passwordPolicy, requireClasses: [...config.passwordPolicy.requireClasses] },
    lockout: { ...config.lockout },
    mfa: { requiredRoles: [...config.mfa.requiredRoles], maxAttempts: config.mfa.maxAttempts },
    impersonationTtl: config.impersonationTtl,
    duplicateEmails: false,
    auditRetentionDays: null,
  };
}

/**
 * The settings in force: the environment's defaults under what a super admin
 * stored. `current()` answers from memory at once; the stored values are read
 * again in the background every few seconds, so every instance follows a change.
 */
export function createSettingsService(deps: { transact: Transact; settings: SettingsRepository; audit: AuditService; defaults: Settings }) {
  let current: Settings = deps.defaults;
  let loadedAt = 0;
  let loading: Promise<void> | undefined;

  const merge = (stored: Record<string, unknown>): Settings =>
    Object.freeze({ ...deps.defaults, ...Object.fromEntries(SETTING_KEYS.filter((k) => k in stored).map((k) => [k, stored[k]])) }) as Settings;

  async function load(): Promise<void> {
    current = merge(await deps.settings.all());
    loadedAt = Date.now();
  }

  return {
    load,

    current(): Settings {
      if (!loading && Date.now() - loadedAt > REFRESH_MS) {
        loading = load().catch(() => undefined).finally(() => (loading = undefined));
      }
      return current;
    },

    /**
     * Stores the fields given (each replaces the whole field), audited with old and
     * new values. Turning duplicate emails off again needs every email to be unique.
     */
    async update(changes: Partial<Settings>, actor: Actor): Promise<Settings> {
      const next = await deps.transact(async (trx) => {
        await deps.settings.lock(trx);
        const before = merge(await deps.settings.all(trx));
        const after = merge({ ...before, ...changes });
        const changed = SETTING_KEYS.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
        if (!changed.length) return after;
        if (before.duplicateEmails !== after.duplicateEmails) {
          if (!after.duplicateEmails) {
            assertThat(!(await deps.settings.hasDuplicateEmails(trx)), new AppError('settings.duplicate_emails_exist', 409, 'Some users share an email: make every email unique before turning duplicate emails off.'));
          }
          await deps.settings.enforceUniqueEmails(!after.duplicateEmails, trx);
        }
        await deps.settings.put(Object.fromEntries(changed.map((k) => [k, after[k]])), trx);
        await deps.audit.record({ actor, action: 'settings.changed', targetType: 'settings', changes: Object.fromEntries(changed.map((k) => [k, [before[k], after[k]]])) }, trx);
        return after;
      });
      current = next;
      loadedAt = Date.now();
      return next;
    },
  };
}
export type SettingsService = ReturnType<typeof createSettingsService>;
