import i18next from 'i18next';
import type { Logger } from 'pino';
import type { Transact } from '../db/database.js';
import { MAIL_STRINGS } from '../domain/mail-strings.js';
import {
  MAIL_LANGUAGES,
  MAIL_TEMPLATE_IDS,
  MAIL_TEMPLATES,
  mailVariableDescriptions,
  mailVariables,
  type MailBrand,
  type MailLanguage,
  type MailTemplateId,
  type MailTemplateParts,
  type MailValues,
  type RenderedMail,
} from '../domain/mail-templates.js';
import type { Operator } from '../domain/operator.js';
import type { Branding } from '../domain/settings.js';
import { assertThat } from '../errors/app-error.js';
import { fail } from '../errors/codes.js';
import { chooseMailLanguage, renderMail, unknownVariables } from '../policies/mail-template.js';
import type { MailTemplatesRepository } from '../repositories/mail-templates.js';
import type { Clock } from '../util/clock.js';
import type { AuditService } from './audit.js';
import type { Mail, MailerService } from './mailer.js';

/** Whom a mail goes to: their email, the language they read, their name. */
export interface MailRecipient {
  email: string;
  preferredLanguage?: string | null;
  locale?: string | null;
  displayName?: string | null;
  givenName?: string | null;
  familyName?: string | null;
}

/** A template as the admin API shows it: the one in force for that language, shipped or changed. */
export interface MailTemplateView extends MailTemplateParts {
  id: MailTemplateId;
  language: MailLanguage;
  /** Whether a super admin changed it (DELETE goes back to the shipped one). */
  customised: boolean;
  updatedAt: Date | null;
  variables: Record<string, string>;
}

/** The shipped strings, as i18next resources (namespace `mail`); no fallback: every language is complete. */
const i18n = i18next.createInstance();
void i18n.init({
  resources: Object.fromEntries(MAIL_LANGUAGES.map((l) => [l, { mail: MAIL_STRINGS[l] }])),
  ns: ['mail'],
  defaultNS: 'mail',
  lng: 'en',
  fallbackLng: false,
  initAsync: false,
  returnNull: false,
  interpolation: { escapeValue: false },
});

/** A shipped string, uninterpolated; throws when this language lacks it (a test covers every one). */
function shippedString(language: MailLanguage, key: string): string {
  if (!i18n.exists(key, { lng: language })) throw new Error(`mail string ${key} is missing in ${language}`);
  return i18n.t(key, { lng: language, skipInterpolation: true });
}

/** The shipped template of this language. */
export function shippedMailTemplate(id: MailTemplateId, language: MailLanguage): MailTemplateParts {
  return {
    subject: shippedString(language, `templates.${id}.subject`),
    text: shippedString(language, `templates.${id}.text`),
    html: null,
  };
}

/** "Alex Example", else the email. */
const nameOf = (r: MailRecipient) =>
  r.displayName?.trim() || [r.givenName, r.familyName].filter((p) => p?.trim()).join(' ') || r.email;

/** A moment in the mail's language and the user's time zone (UTC when they have none, or an unknown one). */
function formatTime(at: Date, language: MailLanguage, timeZone: string | null | undefined): string {
  const format = (tz: string) =>
    new Intl.DateTimeFormat(language, {
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZone: tz,
      timeZoneName: 'short',
    });
  try {
    return format(timeZone || 'UTC').format(at);
  } catch {
    return format('UTC').format(at);
  }
}

/** The pieces of the shipped strings that go into variables, in one language (interpolated by i18next). */
export interface MailPhrases {
  language: MailLanguage;
  /** The lock notice's `unlock`: when a timed lock ends (in the user's zone), or that a password reset ends it. */
  unlock(until: Date | null, timeZone: string | null | undefined): string;
  /** A link's `lifetime`: "30 minutes" under two hours, else "24 hours". */
  lifetime(seconds: number): string;
  /** An invitation's `message`: "Sam wrote:" and the (already quoted) message; empty without one. */
  personalMessage(inviter: string, message: string | undefined): string;
}

export function mailPhrases(language: MailLanguage): MailPhrases {
  const t = (key: string, values: Record<string, unknown> = {}) =>
    i18n.t(`phrases.${key}`, { lng: language, ...values });
  return {
    language,
    unlock: (until, timeZone) =>
      until ? t('unlock_at', { time: formatTime(until, language, timeZone) }) : t('unlock_reset'),
    lifetime: (seconds) =>
      seconds < 2 * 3600
        ? t('lifetime_minutes', { count: Math.round(seconds / 60) })
        : t('lifetime_hours', { count: Math.round(seconds / 3600) }),
    personalMessage: (inviter, message) => (message ? `${t('message_from', { inviter })}\n${message}` : ''),
  };
}

/** A mail's values but `name` (the service fills it in), or a function of the phrases of the mail's language. */
export type ValuesFor<T extends MailTemplateId> =
  | Omit<MailValues<T>, 'name'>
  | ((say: MailPhrases) => Omit<MailValues<T>, 'name'>);

/**
 * The mails' templates: the shipped ones (domain/mail-strings.ts, through i18next)
 * under what a super admin changed per template and language (`mail_templates`).
 * `send` renders one in the recipient's language (their preferredLanguage, their
 * locale, the settings' default language, English) and mails it.
 */
export function createMailTemplatesService(deps: {
  transact: Transact;
  templates: MailTemplatesRepository;
  audit: AuditService;
  mailer: MailerService;
  clock: Clock;
  log: Logger;
  issuer: string;
  defaultLanguage: () => string;
  /** The branding settings: the product name, logo, colour and links every mail wears. */
  branding: () => Branding;
}) {
  const { templates, clock } = deps;

  const known = (id: string, language: string): { id: MailTemplateId; language: MailLanguage } => {
    assertThat(
      (MAIL_TEMPLATE_IDS as readonly string[]).includes(id) && (MAIL_LANGUAGES as readonly string[]).includes(language),
      fail('mail_template.not_found', { id, language }),
    );
    return { id: id as MailTemplateId, language: language as MailLanguage };
  };

  const checkVariables = (id: MailTemplateId, parts: MailTemplateParts) => {
    const unknown = unknownVariables(parts, mailVariables(id));
    assertThat(
      !unknown.length,
      fail('mail_template.unknown_variable', { variables: unknown, allowed: mailVariables(id) }),
    );
  };

  async function view(id: MailTemplateId, language: MailLanguage): Promise<MailTemplateView> {
    const stored = await templates.find(id, language);
    const parts = stored ?? shippedMailTemplate(id, language);
    return {
      id,
      language,
      subject: parts.subject,
      text: parts.text,
      html: parts.html,
      customised: Boolean(stored),
      updatedAt: stored?.updatedAt ?? null,
      variables: mailVariableDescriptions(id),
    };
  }

  /** The template in force: the changed one, else the shipped one. */
  async function inForce(id: MailTemplateId, language: MailLanguage): Promise<MailTemplateParts> {
    const stored = await templates.find(id, language);
    return stored
      ? { subject: stored.subject, text: stored.text, html: stored.html }
      : shippedMailTemplate(id, language);
  }

  /** The brand of mails in this language: the footer's links labelled in it. */
  function brandIn(language: MailLanguage): MailBrand {
    const b = deps.branding();
    const label = (key: 'help' | 'terms' | 'privacy') => i18n.t(`phrases.${key}`, { lng: language });
    const links = [
      { label: label('help'), url: b.supportUrl },
      { label: label('terms'), url: b.termsUrl },
      { label: label('privacy'), url: b.privacyUrl },
    ].filter((l): l is { label: string; url: string } => Boolean(l.url));
    return { productName: b.productName, logoUrl: b.logoUrl, primaryColour: b.primaryColour, links };
  }

  /** What the preview fills a template with. */
  function sampleValues(id: MailTemplateId, language: MailLanguage): Record<string, string> {
    const say = mailPhrases(language);
    const samples: Record<string, string> = {
      name: 'Alex Example',
      product: deps.branding().productName,
      link: `${deps.issuer}/reset-password?token=SAMPLE-TOKEN`,
      minutes: '60',
      days: '7',
      lifetime: say.lifetime(86_400),
      message: say.personalMessage('Sam Admin', '> Welcome to the team!'),
      attempts: '5',
      unlock: say.unlock(new Date(clock.now().getTime() + 15 * 60_000), null),
    };
    if (id === 'approval') samples.link = `${deps.issuer}/account/login`;
    if (id === 'lock_notice' || id === 'account_exists') samples.link = `${deps.issuer}/forgot-password`;
    if (id === 'email_confirmation') samples.link = `${deps.issuer}/sign-up/confirm?token=SAMPLE-TOKEN`;
    if (id === 'email_change') samples.link = `${deps.issuer}/account/email/confirm?token=SAMPLE-TOKEN`;
    return Object.fromEntries(mailVariables(id).map((v) => [v, samples[v] ?? '']));
  }

  /** The recipient's language for mails. */
  const languageOf = (to: MailRecipient) => chooseMailLanguage(to.preferredLanguage, to.locale, deps.defaultLanguage());

  /** A mail of template `id` to `to`, in their language; values may depend on it (`(say) => …`). */
  async function compose<T extends MailTemplateId>(id: T, to: MailRecipient, values: ValuesFor<T>): Promise<Mail> {
    const language = languageOf(to);
    const given = typeof values === 'function' ? values(mailPhrases(language)) : values;
    const filled = { name: nameOf(to), product: deps.branding().productName, ...given };
    const rendered = renderMail(await inForce(id, language), filled, language, brandIn(language));
    return { to: to.email, ...rendered };
  }

  return {
    languageOf,
    compose,

    /** Renders a template in the recipient's language and mails it. */
    async send<T extends MailTemplateId>(id: T, to: MailRecipient, values: ValuesFor<T>) {
      await deps.mailer.send(await compose(id, to, values));
    },

    /** Every template: what it is for, its variables, and the languages in which it was changed. */
    async list() {
      const stored = await templates.all();
      return {
        languages: [...MAIL_LANGUAGES],
        defaultLanguage: chooseMailLanguage(deps.defaultLanguage()),
        templates: MAIL_TEMPLATE_IDS.map((id) => ({
          id,
          description: MAIL_TEMPLATES[id].description,
          variables: mailVariableDescriptions(id),
          customised: stored.filter((s) => s.templateId === id).map((s) => s.language),
        })),
      };
    },

    async get(id: string, language: string): Promise<MailTemplateView> {
      const t = known(id, language);
      return view(t.id, t.language);
    },

    /** Changes a template for one language (only its mail's variables allowed), audited with old and new. */
    async put(id: string, language: string, parts: MailTemplateParts, by: Operator): Promise<MailTemplateView> {
      const t = known(id, language);
      checkVariables(t.id, parts);
      await deps.transact(async (trx) => {
        const before = (await templates.find(t.id, t.language, trx)) ?? shippedMailTemplate(t.id, t.language);
        await templates.put(t.id, t.language, parts, clock.now(), trx);
        const changes = Object.fromEntries(
          (['subject', 'text', 'html'] as const)
            .filter((k) => before[k] !== parts[k])
            .map((k) => [k, [before[k], parts[k]] as [unknown, unknown]]),
        );
        await deps.audit.by(by).record(
          {
            action: 'mail_template.changed',
            targetType: 'mail_template',
            targetId: `${t.id}/${t.language}`,
            changes,
          },
          trx,
        );
      });
      return view(t.id, t.language);
    },

    /** Goes back to the shipped template (nothing to do when it was not changed). */
    async reset(id: string, language: string, by: Operator): Promise<void> {
      const t = known(id, language);
      await deps.transact(async (trx) => {
        const removed = await templates.remove(t.id, t.language, trx);
        if (!removed) return;
        await deps.audit
          .by(by)
          .record(
            { action: 'mail_template.reset', targetType: 'mail_template', targetId: `${t.id}/${t.language}` },
            trx,
          );
      });
    },

    /** The template in force, or a draft's parts over it, rendered with sample values. */
    async preview(
      id: string,
      language: string,
      draft: Partial<MailTemplateParts> = {},
    ): Promise<RenderedMail & { language: MailLanguage; values: Record<string, string> }> {
      const t = known(id, language);
      const given = Object.fromEntries(Object.entries(draft).filter(([, v]) => v !== undefined));
      const parts: MailTemplateParts = { ...(await inForce(t.id, t.language)), ...given };
      checkVariables(t.id, parts);
      const values = sampleValues(t.id, t.language);
      return { language: t.language, values, ...renderMail(parts, values, t.language, brandIn(t.language)) };
    },
  };
}
export type MailTemplatesService = ReturnType<typeof createMailTemplatesService>;
