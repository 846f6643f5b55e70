import type { Knex } from 'knex';

/**
 * Mail templates a super admin has changed (one row per template and language;
 * the shipped ones live in the code), and the HTML part of the mails in the dev outbox.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mail_templates', (t) => {
    t.text('template_id').notNullable();
    t.text('language').notNullable();
    t.text('subject').notNullable();
    t.text('text').notNullable();
    // Null: the HTML part is made from the text.
    t.text('html');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['template_id', 'language']);
  });
  await knex.schema.alterTable('mail_outbox', (t) => {
    t.text('html');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('mail_outbox', (t) => {
    t.dropColumn('html');
  });
  await knex.schema.dropTable('mail_templates');
}
