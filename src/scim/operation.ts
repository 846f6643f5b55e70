/**
 * What a SCIM request asks, for the metrics: `users.create`, `groups.patch`,
 * `search`, `bulk`, `discovery` … from its method and path (a fixed set, whatever
 * the path holds); `other` for anything else.
 */
export function scimOperation(method: string, path: string): string {
  const rest = path.replace(/^\/scim\/v2/i, '');
  if (/^\/(ServiceProviderConfig|Schemas|ResourceTypes)(\/|$)/i.test(rest)) return 'discovery';
  if (/^\/Bulk\/?$/i.test(rest)) return 'bulk';
  if (/^\/\.search\/?$/i.test(rest)) return 'search';
  const resource = /^\/(Users|Groups)(\/\.search|\/[^/]+)?\/?$/i.exec(rest);
  if (!resource?.[1]) return 'other';
  const type = resource[1].toLowerCase();
  const tail = resource[2];
  if (tail?.toLowerCase() === '/.search') return method === 'POST' ? `${type}.search` : 'other';
  const verb = (tail ? ONE : MANY)[method];
  return verb ? `${type}.${verb}` : 'other';
}

const MANY: Record<string, string> = { GET: 'list', POST: 'create' };
const ONE: Record<string, string> = { GET: 'get', PUT: 'replace', PATCH: 'patch', DELETE: 'delete' };
