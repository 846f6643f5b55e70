import { z } from 'zod';
import { ACCOUNT_KIND, timestamp } from './schemas.js';

/** Shapes of the directory's routes (accounts, account groups, groups), shared by their modules. */

export const name = (max = 200) => z.string().trim().min(1).max(max);

/** Offset paging: these lists are short. */
export const PAGING = {
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
};

/** `?force=true`: delete even what is still in use. */
export const FORCE = z.object({
  force: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('Delete even when still in use'),
});

export const ACCOUNT_SCHEMA = z.object({
  id: z.uuid(),
  name: z.string(),
  kind: ACCOUNT_KIND,
  userCount: z.number().int().describe('Users (not deleted) it employs'),
  accountGroupIds: z.array(z.uuid()),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const ACCOUNT_GROUP_SCHEMA = z.object({
  id: z.uuid(),
  name: z.string(),
  accountIds: z.array(z.uuid()),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const GROUP_SCHEMA = z.object({
  id: z.uuid(),
  displayName: z.string(),
  externalId: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
  version: z.number().int(),
});

/** Dates as ISO strings. */
export const withDates = <T extends { createdAt: Date; updatedAt: Date }>(r: T) => ({
  ...r,
  createdAt: new Date(r.createdAt).toISOString(),
  updatedAt: new Date(r.updatedAt).toISOString(),
});
