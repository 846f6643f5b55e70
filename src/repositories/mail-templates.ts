import type { Db, Executor } from '../db/database.js';
import type { MailTemplateParts } from '../domain/mail-templates.js';

/** A template a super admin has changed, for one language. */
export interface StoredMailTemplate extends MailTemplateParts {
  templateId: string;
  language: string;
  updatedAt: Date;
}

const toStored = (r: Record<string, unknown>): StoredMailTemplate => ({
  templateId: r.template_id as string,
  language: r.language as string,
  subject: r.subject as string,
  text: r.text as string,
  html: (r.html as string | null) ?? null,
  updatedAt: new Date(r.updated_at as string | Date),
});

/** `mail_templates`: the changed templates (the shipped ones are in domain/mail-strings.ts). */
export function createMailTemplatesRepository(db: Db) {
  return {
    async all(trx: Executor = db): Promise<StoredMailTemplate[]> {
      return (await trx('mail_templates').orderBy(['template_id', 'language'])).map(toStored);
    },

    async find(templateId: string, language: string, trx: Executor = db): Promise<StoredMailTemplate | undefined> {
      const row = await trx('mail_templates').where({ template_id: templateId, language }).first();
      return row ? toStored(row) : undefined;
    },

    async put(
      templateId: string,
      language: string,
      parts: MailTemplateParts,
      updatedAt: Date,
      trx: Executor,
    ): Promise<StoredMailTemplate> {
      const [row] = await trx('mail_templates')
        .insert({ template_id: templateId, language, ...parts, updated_at: updatedAt })
        .onConflict(['template_id', 'language'])
        .merge()
        .returning('*');
      return toStored(row);
    },

    /** Deletes a changed template; returns what it was, or undefined when there was none. */
    async remove(templateId: string, language: string, trx: Executor): Promise<StoredMailTemplate | undefined> {
      const [row] = await trx('mail_templates').where({ template_id: templateId, language }).delete().returning('*');
      return row ? toStored(row) : undefined;
    },
  };
}
export type MailTemplatesRepository = ReturnType<typeof createMailTemplatesRepository>;
