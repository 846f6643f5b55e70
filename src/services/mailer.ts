import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { MailOutboxRepository } from '../repositories/mail-outbox.js';
import type { Clock } from '../util/clock.js';

export interface Mail {
  to: string;
  subject: string;
  /** The text part. */
  text: string;
  /** The HTML part (a whole document): mail clients show it, the text part is the alternative. */
  html: string;
}

/** How long a mail stays in the dev outbox: its links (password reset, invitation) are secrets. */
export const OUTBOX_RETENTION_MS = 24 * 3600 * 1000;

/** SMTP through nodemailer when `SMTP_URL` is set; the dev outbox table otherwise (kept 24 hours: `purgeOutbox`). */
export function createMailerService(deps: {
  smtpUrl?: string;
  from: string;
  outbox: MailOutboxRepository;
  log: Logger;
  clock: Clock;
}) {
  const { smtpUrl } = deps;
  // nodemailer is loaded at the first mail: a command-line call that sends none does not pay for it.
  let transport: Promise<Transporter> | undefined;
  const smtp = () => {
    transport ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(smtpUrl));
    return transport;
  };
  return {
    /** The dev outbox's latest mails (the CLI's `mail list`). */
    outbox: (limit: number, to?: string) => deps.outbox.list(limit, to),

    /** Deletes outbox mails older than 24 hours (at start and hourly); returns how many. */
    async purgeOutbox(): Promise<number> {
      const deleted = await deps.outbox.deleteCreatedBefore(new Date(deps.clock.now().getTime() - OUTBOX_RETENTION_MS));
      if (deleted) deps.log.info({ deleted }, 'mail.outbox_purged');
      return deleted;
    },
    async send(mail: Mail): Promise<void> {
      const { to, subject, text, html } = mail;
      if (smtpUrl) await (await smtp()).sendMail({ from: deps.from, to, subject, text, html });
      else await deps.outbox.insert(mail, deps.clock.now());
      // The body may hold a link with a token: log the envelope only.
      deps.log.info({ to: mail.to, subject: mail.subject, via: smtpUrl ? 'smtp' : 'outbox' }, 'mail.sent');
    },
  };
}
export type MailerService = ReturnType<typeof createMailerService>;
