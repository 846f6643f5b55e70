import { invalidFilter, ScimError } from '../scim/errors.js';
import type { ListQuery } from '../scim/list-query.js';
import type { ResourceName, ScimDoc } from '../scim/schemas.js';

type Lister = { list(q: ListQuery): Promise<{ total: number; docs: ScimDoc[] }> };

/**
 * A search at the root (RFC 7644 §3.4.3): Users, then Groups, paged as one list.
 * A filter naming an attribute of only one of them finds nothing of the other;
 * one that fits neither is `invalidFilter`.
 */
export function createScimSearchService(services: Record<ResourceName, Lister>) {
  return async function searchAll(
    q: ListQuery,
  ): Promise<{ total: number; found: { resource: ResourceName; doc: ScimDoc }[] }> {
    const totals: { resource: ResourceName; total: number }[] = [];
    for (const resource of ['User', 'Group'] as const) {
      try {
        totals.push({ resource, total: (await services[resource].list({ ...q, count: 0 })).total });
      } catch (err) {
        if (!(err instanceof ScimError && err.scimType === 'invalidFilter')) throw err;
      }
    }
    if (!totals.length) throw invalidFilter(`The filter matches no attribute of Users or Groups: ${q.filter}`);
    const found: { resource: ResourceName; doc: ScimDoc }[] = [];
    let skip = q.startIndex - 1;
    for (const { resource, total } of totals) {
      const want = q.count - found.length;
      if (want > 0 && skip < total) {
        const { docs } = await services[resource].list({ ...q, startIndex: skip + 1, count: want });
        found.push(...docs.map((doc) => ({ resource, doc })));
      }
      skip = Math.max(0, skip - total);
    }
    return { total: totals.reduce((n, t) => n + t.total, 0), found };
  };
}
