import type { Db } from '../db/database.js';

export interface OutboxMail {
  id: number;
  to: string;
  subject: string;
  text: string;
  createdAt: Date;
}

/** The dev outbox: where mail goes when no SMTP server is configured. */
export function createMailOutboxRepository(db: Db) {
  return {
    async insert(mail: { to: string; subject: string; text: string }): Promise<void> {
      await db('mail_outbox').insert(mail);
    },
    async list(limit = 50, to?: string): Promise<OutboxMail[]> {
      const q = db('mail_outbox').orderBy('id', 'desc').limit(limit);
      if (to) q.whereRaw('lower("to") = lower(?)', [to]);
      const rows = await q;
      return rows.map((r) => ({ id: r.id, to: r.to, subject: r.subject, text: r.text, createdAt: r.created_at }));
    },
  };
}
export type MailOutboxRepository = ReturnType<typeof createMailOutboxRepository>;
