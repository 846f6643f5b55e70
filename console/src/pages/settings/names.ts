import type { MailLanguage } from '../../../../src/domain/mail-templates.js';
import type { Role } from '../../types';

/** How a person reads the roles and the mail languages. */
export const ROLE_NAMES: Record<Role, string> = {
  individual: 'Individual',
  manager: 'Manager',
  hr: 'HR',
  admin: 'Admin',
  super_admin: 'Super admin',
};
export const LANGUAGE_NAMES: Record<MailLanguage, string> = {
  en: 'English',
  de: 'German',
  fr: 'French',
  es: 'Spanish',
};
