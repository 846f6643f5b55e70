import type { Config } from './config.js';

/**
 * Where mail goes, checked at server start: SMTP when `SMTP_URL` is set,
 * otherwise the dev outbox table (rows deleted after 24 hours). In production
 * (`NODE_ENV=production`) the outbox must be asked for with `MAIL_OUTBOX=1`:
 * password-reset and invitation links would otherwise sit in a table nobody
 * reads. Throws `config.invalid` (the server exits); returns a warning for the
 * log when mail goes to the outbox.
 */
export function checkMailDelivery(config: Pick<Config, 'smtpUrl' | 'mailOutbox' | 'nodeEnv'>): { warning?: string } {
  if (config.smtpUrl) return {};
  if (config.nodeEnv === 'production' && !config.mailOutbox) {
    throw new Error(
      'config.invalid: SMTP_URL is not set and NODE_ENV is production: password-reset and invitation mails would only reach the dev outbox table. Set SMTP_URL, or MAIL_OUTBOX=1 if the outbox is wanted.',
    );
  }
  return {
    warning:
      'SMTP_URL is not set: mail (password-reset and invitation links) goes to the dev outbox table (gatehouse mail list), deleted after 24 hours.',
  };
}
