import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { MailOutboxRepository } from '../repositories/mail-outbox.js';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** SMTP through nodemailer when `SMTP_URL` is set; the dev outbox table otherwise. */
export function createMailer(deps: { smtpUrl?: string; from: string; outbox: MailOutboxRepository; log: Logger }) {
  const transport = deps.smtpUrl ? nodemailer.createTransport(deps.smtpUrl) : null;
  return {
    async send(mail: Mail): Promise<void> {
      if (transport) await transport.sendMail({ from: deps.from, ...mail });
      else await deps.outbox.insert(mail);
      // The body may hold a link with a token: log the envelope only.
      deps.log.info({ to: mail.to, subject: mail.subject, via: transport ? 'smtp' : 'outbox' }, 'mail.sent');
    },
  };
}
export type Mailer = ReturnType<typeof createMailer>;
