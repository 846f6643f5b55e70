import { z } from 'zod';
import type { CustomFieldsService } from '../../../services/custom-fields.js';
import { adminRoute, created, errors, NO_CONTENT } from './route.js';
import { CUSTOM_FIELD, CUSTOM_FIELD_CHANGES, customFieldJson, NEW_CUSTOM_FIELD } from './record-schemas.js';

/** Custom fields of the user record: super admins define them (permission `settings`); values live on each user. */
export function customFieldRoutes(deps: { customFields: CustomFieldsService; baseUrl: string }) {
  const { customFields } = deps;
  return [
    adminRoute({
      method: 'get',
      path: '/custom-fields',
      summary: 'The custom fields of the user record, in order',
      permission: 'users.read',
      responses: { 200: { description: 'Fields', schema: z.object({ items: z.array(CUSTOM_FIELD) }) }, ...errors(403) },
      async handle(ctx) {
        ctx.body = { items: (await customFields.list()).map(customFieldJson) };
      },
    }),
    adminRoute({
      method: 'post',
      path: '/custom-fields',
      summary: 'Define a custom field (key, label, type, options, required, claim)',
      permission: 'settings',
      body: NEW_CUSTOM_FIELD,
      responses: { 201: { description: 'Defined', schema: CUSTOM_FIELD }, ...errors(400, 403, 409) },
      async handle(ctx, { body, by }) {
        const field = await customFields.create(body, by);
        created(ctx, `${deps.baseUrl}/custom-fields/${field.key}`, customFieldJson(field));
      },
    }),
    adminRoute({
      method: 'get',
      path: '/custom-fields/{key}',
      summary: 'A custom field',
      permission: 'users.read',
      responses: { 200: { description: 'The field', schema: CUSTOM_FIELD }, ...errors(403, 404) },
      async handle(ctx, { params }) {
        ctx.body = customFieldJson(await customFields.get(params.key));
      },
    }),
    adminRoute({
      method: 'patch',
      path: '/custom-fields/{key}',
      summary: 'Change a custom field: label, options, required, claim, position (the key and type stay)',
      permission: 'settings',
      body: z.object(CUSTOM_FIELD_CHANGES).partial().strict(),
      responses: { 200: { description: 'The field as changed', schema: CUSTOM_FIELD }, ...errors(400, 403, 404) },
      async handle(ctx, { params, body, by }) {
        ctx.body = customFieldJson(await customFields.update(params.key, body, by));
      },
    }),
    adminRoute({
      method: 'delete',
      path: '/custom-fields/{key}',
      summary: "Remove a custom field and every user's value of it",
      permission: 'settings',
      responses: { ...NO_CONTENT, ...errors(403, 404) },
      async handle(ctx, { params, by }) {
        await customFields.remove(params.key, by);
        ctx.status = 204;
      },
    }),
  ];
}
