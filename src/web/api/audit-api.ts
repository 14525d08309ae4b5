import { AuditStatusView, type AuditStatus } from '../../shared/api/audit.js';
import type { ApiClient, RequestOptions } from './client.js';
import { checkResponse } from './response-check.js';

/** The audit chain's state and newest anchor (operators): the settings page's "Audit trail" box. */
export async function getAuditStatus(client: ApiClient, options?: RequestOptions): Promise<AuditStatus> {
  return checkResponse(AuditStatusView, await client.get('/api/audit/status', options), 'audit status');
}
