/**
 * The mails Gatehouse sends, each from a template: a subject, a text part and an
 * HTML part, in one of the shipped languages. A template is logic-less: it holds
 * `{{variable}}` placeholders and nothing else, and may use only the variables
 * its mail provides (`MAIL_TEMPLATES[id].variables`).
 */

/** The languages the shipped templates come in (ISO 639-1); English is the last fallback. */
export const MAIL_LANGUAGES = ['en', 'de', 'fr', 'es'] as const;
export type MailLanguage = (typeof MAIL_LANGUAGES)[number];
export const FALLBACK_LANGUAGE: MailLanguage = 'en';

export const MAIL_TEMPLATE_IDS = [
  'password_reset',
  'invitation',
  'approval',
  'lock_notice',
  'email_confirmation',
  'account_exists',
  'email_change',
] as const;
export type MailTemplateId = (typeof MAIL_TEMPLATE_IDS)[number];

export function isMailLanguage(value: unknown): value is MailLanguage {
  return typeof value === 'string' && (MAIL_LANGUAGES as readonly string[]).includes(value);
}

export function isMailTemplateId(value: unknown): value is MailTemplateId {
  return typeof value === 'string' && (MAIL_TEMPLATE_IDS as readonly string[]).includes(value);
}

/** What a template is for and the variables it may use, each with what it holds. */
export const MAIL_TEMPLATES = {
  password_reset: {
    description: 'A link to choose a new password ("Forgot password?", or sent by an administrator)',
    variables: {
      name: "The user's name (or email)",
      link: 'The single-use link',
      minutes: 'How many minutes the link stays valid',
    },
  },
  invitation: {
    description: 'An invitation to a new account: a link to choose a password',
    variables: {
      name: "The user's name (or email)",
      link: 'The single-use link',
      days: 'How many days the link stays valid',
      message:
        'The inviting administrator\'s personal message, quoted, after "… wrote:" in the mail\'s language (empty when none)',
    },
  },
  approval: {
    description: 'A pending account was approved: the user may sign in now',
    variables: {
      name: "The user's name (or email)",
      link: 'Where to sign in (the self-service page)',
    },
  },
  lock_notice: {
    description: 'The account was locked after too many failed sign-in attempts',
    variables: {
      name: "The user's name (or email)",
      attempts: 'How many failed attempts locked it',
      unlock: 'When the lock ends, as a sentence in the mail\'s language ("It unlocks by itself at …")',
      link: 'The "Forgot password?" page, where a reset lifts the lock',
    },
  },
  email_confirmation: {
    description: 'Self-registration: a link to confirm the email address',
    variables: {
      name: "The person's name (or email)",
      link: 'The confirmation link',
      lifetime: 'How long the link stays valid ("24 hours", "30 minutes", in the mail\'s language)',
    },
  },
  account_exists: {
    description: 'Self-registration with an email that already has an account: the way to a new password instead',
    variables: {
      name: "The person's name (or email)",
      link: 'The "Forgot password?" page for this email',
    },
  },
  email_change: {
    description: 'A person changes their own email: a link, sent to the new address, that confirms it',
    variables: {
      name: "The user's name",
      link: 'The confirmation link',
      lifetime: 'How long the link stays valid ("24 hours", in the mail\'s language)',
    },
  },
} as const satisfies Record<MailTemplateId, { description: string; variables: Record<string, string> }>;

/** The values a mail of this template is rendered with. */
export type MailValues<T extends MailTemplateId> = Record<keyof (typeof MAIL_TEMPLATES)[T]['variables'], string>;

/** What every mail may use besides its own variables (the service fills them in). */
export const COMMON_MAIL_VARIABLES = {
  product: 'The product name (branding settings: "Gatehouse" unless changed)',
} as const;

/** The variables a template may use, each with what it holds. */
export const mailVariableDescriptions = (id: MailTemplateId): Record<string, string> => ({
  ...MAIL_TEMPLATES[id].variables,
  ...COMMON_MAIL_VARIABLES,
});

/** The variable names a template may use. */
export const mailVariables = (id: MailTemplateId): string[] => Object.keys(mailVariableDescriptions(id));

/**
 * The brand every mail wears (the branding settings): the product name and logo in
 * the header, the colour of the header bar, and links at the foot, labelled in
 * the mail's language.
 */
export interface MailBrand {
  productName: string;
  logoUrl: string | null;
  primaryColour: string | null;
  links: { label: string; url: string }[];
}

export const DEFAULT_MAIL_BRAND: MailBrand = {
  productName: 'Gatehouse',
  logoUrl: null,
  primaryColour: null,
  links: [],
};

/** A template's parts; `html` null: the HTML part is made from the text (paragraphs, the link as a link). */
export interface MailTemplateParts {
  subject: string;
  text: string;
  html: string | null;
}

/** A mail ready to go. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}
