import { AuditStatusView, AuditTrailPageView, type AuditStatus } from '../../shared/api/audit.js';
import type { ApiClient, RequestOptions } from './client.js';
import { checkResponse } from './response-check.js';

/** The audit chain's state and newest anchor (operators): the settings page's "Audit trail" box. */
export async function getAuditStatus(client: ApiClient, options?: RequestOptions): Promise<AuditStatus> {
  return checkResponse(AuditStatusView, await client.get('/api/audit/status', options), 'audit status');
}

/** The audit trail page's filters, as they stand in its URL and the API's query. */
export const auditFilterNames = ['device', 'actor', 'event', 'from', 'to'] as const;
export type AuditFilterName = (typeof auditFilterNames)[number];
export type AuditFilter = Partial<Record<AuditFilterName, string>>;

function filterQuery(filter: AuditFilter): URLSearchParams {
  const query = new URLSearchParams();
  for (const name of auditFilterNames) {
    const value = filter[name];
    if (value !== undefined && value !== '') query.set(name, value);
  }
  return query;
}

/** A page of the records the user may read, newest first (docs/audit-trail.md). */
export async function listAuditTrail(client: ApiClient, input: { filter: AuditFilter; cursor: string | null; limit: number }, options?: RequestOptions): Promise<AuditTrailPageView> {
  const query = filterQuery(input.filter);
  query.set('limit', String(input.limit));
  if (input.cursor !== null) query.set('cursor', input.cursor);
  return checkResponse(AuditTrailPageView, await client.get(`/api/audit?${query.toString()}`, options), 'audit trail');
}

/** The link of the filtered trail's CSV (a plain download: the session cookie goes along). */
export function auditCsvHref(filter: AuditFilter): string {
  const query = filterQuery(filter).toString();
  return `/api/audit.csv${query === '' ? '' : `?${query}`}`;
}
