import { z } from 'zod';
import type { AdminRoute } from './route.js';

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any', reused: 'inline' }) as Record<
    string,
    unknown
  >;
const strip = ({ $schema: _, ...rest }: Record<string, unknown>) => rest;

/** The OpenAPI 3.1 document of the admin API, made from its routes. */
export function openApiDocument(routes: readonly AdminRoute[], serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const query = r.query ? jsonSchema(r.query, 'input') : undefined;
    const required = new Set((query?.required as string[] | undefined) ?? []);
    const queryParams = Object.entries(
      (query?.properties as Record<string, Record<string, unknown>> | undefined) ?? {},
    ).map(([name, schema]) => ({
      name,
      in: 'query',
      required: required.has(name),
      ...(schema.description ? { description: schema.description } : {}),
      schema: strip(schema),
    }));
    const body =
      r.body === undefined
        ? undefined
        : 'contentType' in r.body && typeof r.body.contentType === 'string'
          ? {
              required: true,
              description: r.body.description,
              content: { [r.body.contentType]: { schema: { type: 'string' } } },
            }
          : {
              required: true,
              content: { 'application/json': { schema: strip(jsonSchema(r.body as z.ZodType, 'input')) } },
            };
    const operations = paths[r.path] ?? {};
    paths[r.path] = operations;
    operations[r.method] = {
      operationId: `${r.method}${r.path.replace(/\{(\w+)\}/g, 'By-$1').replace(/[^a-zA-Z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
      summary: r.summary,
      ...(r.permission ? { 'x-permission': r.permission } : {}),
      parameters: [...params, ...queryParams],
      ...(body ? { requestBody: body } : {}),
      responses: Object.fromEntries(
        Object.entries(r.responses).map(([status, res]) => [
          status,
          {
            description: res.description,
            ...(res.schema || res.contentType
              ? {
                  content: {
                    [res.contentType ?? 'application/json']: {
                      schema: res.schema ? strip(jsonSchema(res.schema, 'output')) : { type: 'string' },
                    },
                  },
                }
              : {}),
          },
        ]),
      ),
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Gatehouse admin API', version: '1' },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A Gatehouse access token for the resource <issuer>/admin/api with scope "admin".',
        },
      },
    },
    paths,
  };
}
