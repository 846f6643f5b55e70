import { z } from 'zod';
import { MAIL_LANGUAGES, MAIL_TEMPLATE_IDS } from '../../../domain/mail-templates.js';
import type { MailTemplateView, MailTemplatesService } from '../../../services/mail-templates.js';
import { adminRoute, errors, NO_CONTENT } from './route.js';

const VARIABLES = z.record(z.string(), z.string()).describe('Variable name → what it holds');

const TEMPLATE = z.object({
  id: z.enum(MAIL_TEMPLATE_IDS),
  language: z.enum(MAIL_LANGUAGES),
  subject: z.string(),
  text: z.string(),
  html: z.string().nullable().describe('The HTML body inside the mail layout; null: made from the text'),
  customised: z.boolean().describe('Changed by a super admin (DELETE goes back to the shipped one)'),
  updatedAt: z.iso.datetime({ offset: true }).nullable(),
  variables: VARIABLES,
});

const LIST = z.object({
  languages: z.array(z.enum(MAIL_LANGUAGES)),
  defaultLanguage: z.enum(MAIL_LANGUAGES),
  templates: z.array(
    z.object({
      id: z.enum(MAIL_TEMPLATE_IDS),
      description: z.string(),
      variables: VARIABLES,
      customised: z.array(z.string()).describe('The languages in which a super admin changed it'),
    }),
  ),
});

const PARTS = {
  subject: z.string().trim().min(1).max(300),
  text: z.string().min(1).max(20_000).describe('Logic-less: {{variable}} placeholders only'),
  html: z
    .string()
    .max(100_000)
    .nullable()
    .describe('The HTML body (the layout wraps it); values are HTML-escaped. Null or absent: made from the text'),
};
const PUT_BODY = z.object({ ...PARTS, html: PARTS.html.optional() }).strict();
const PREVIEW_BODY = z
  .object({ subject: PARTS.subject.optional(), text: PARTS.text.optional(), html: PARTS.html.optional() })
  .strict()
  .describe('A draft: the parts given replace those of the template in force; {} previews the template in force');

const PREVIEW = z.object({
  language: z.enum(MAIL_LANGUAGES),
  subject: z.string(),
  text: z.string(),
  html: z.string().describe('The whole HTML document, layout included'),
  values: z.record(z.string(), z.string()).describe('The sample values used'),
});

const json = (t: MailTemplateView) => ({ ...t, updatedAt: t.updatedAt?.toISOString() ?? null });

/**
 * The mail templates (super admins): each mail per shipped language, the shipped
 * text or a changed one, and a preview with sample values.
 */
export function mailTemplateRoutes(deps: { mailTemplates: MailTemplatesService }) {
  const { mailTemplates } = deps;
  return [
    adminRoute({
      method: 'get',
      path: '/mail-templates',
      summary: 'The mail templates: what each is for, its variables, the languages in which it was changed',
      permission: 'settings',
      responses: { 200: { description: 'The templates', schema: LIST }, ...errors(403) },
      async handle(ctx) {
        ctx.body = await mailTemplates.list();
      },
    }),

    adminRoute({
      method: 'get',
      path: '/mail-templates/{id}/{language}',
      summary: 'A mail template in one language: the one in force (changed, or shipped)',
      permission: 'settings',
      responses: { 200: { description: 'The template', schema: TEMPLATE }, ...errors(403, 404) },
      async handle(ctx, { params }) {
        ctx.body = json(await mailTemplates.get(params.id, params.language));
      },
    }),

    adminRoute({
      method: 'put',
      path: '/mail-templates/{id}/{language}',
      summary:
        'Change a mail template in one language: logic-less, only the variables its mail provides (else 400 mail_template.unknown_variable); audited',
      permission: 'settings',
      body: PUT_BODY,
      responses: { 200: { description: 'The template now in force', schema: TEMPLATE }, ...errors(400, 403, 404) },
      async handle(ctx, { params, body, by }) {
        const parts = { subject: body.subject, text: body.text, html: body.html ?? null };
        ctx.body = json(await mailTemplates.put(params.id, params.language, parts, by));
      },
    }),

    adminRoute({
      method: 'delete',
      path: '/mail-templates/{id}/{language}',
      summary: 'Go back to the shipped template of this language (done at once when it was not changed); audited',
      permission: 'settings',
      responses: { ...NO_CONTENT, ...errors(403, 404) },
      async handle(ctx, { params, by }) {
        await mailTemplates.reset(params.id, params.language, by);
        ctx.status = 204;
      },
    }),

    adminRoute({
      method: 'post',
      path: '/mail-templates/{id}/{language}/preview',
      summary: 'Render a mail template (the one in force, or a draft in the body) with sample values',
      permission: 'settings',
      body: PREVIEW_BODY,
      responses: { 200: { description: 'The rendered mail', schema: PREVIEW }, ...errors(400, 403, 404) },
      async handle(ctx, { params, body }) {
        ctx.body = await mailTemplates.preview(params.id, params.language, body);
      },
    }),
  ];
}
