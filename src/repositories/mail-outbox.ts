import type { Db } from '../db/database.js';

export interface OutboxMail {
  id: number;
  to: string;
  subject: string;
  text: string;
  /** Null for mails stored before the HTML part existed. */
  html: string | null;
  createdAt: Date;
}

/** The dev outbox: where mail goes when no SMTP server is configured. */
export function createMailOutboxRepository(db: Db) {
  return {
    async insert(mail: { to: string; subject: string; text: string; html: string }, createdAt: Date): Promise<void> {
      const { to, subject, text, html } = mail;
      await db('mail_outbox').insert({ to, subject, text, html, created_at: createdAt });
    },
    /** Deletes the mails created before `before`; returns how many. */
    async deleteCreatedBefore(before: Date): Promise<number> {
      return db('mail_outbox').where('created_at', '<', before).delete();
    },
    async list(limit = 50, to?: string): Promise<OutboxMail[]> {
      const q = db('mail_outbox').orderBy('id', 'desc').limit(limit);
      if (to) q.whereRaw('lower("to") = lower(?)', [to]);
      const rows = await q;
      return rows.map((r) => ({
        id: r.id,
        to: r.to,
        subject: r.subject,
        text: r.text,
        html: r.html ?? null,
        createdAt: r.created_at,
      }));
    },
  };
}
export type MailOutboxRepository = ReturnType<typeof createMailOutboxRepository>;
