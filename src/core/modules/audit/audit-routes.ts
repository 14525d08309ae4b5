import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { csvRow } from '../../../lib/csv-writer.js';
import { AuditStatusView, AuditTrailCsvQuery, AuditTrailPageView, AuditTrailQuery, type AuditRecordView } from '../../../shared/api/audit.js';
import { errorResponses } from '../../http/schemas.js';
import { principalOf } from '../../http/principal-of.js';
import type { AuditRecordsService } from './audit-records-service.js';
import type { AuditTrailService } from './audit-trail-service.js';

const csvHeader = ['seq', 'time', 'event', 'result', 'actor', 'ip', 'device_id', 'manufacturer', 'serial', 'target_type', 'target_id', 'reason', 'details'];

function csvLine(r: AuditRecordView): string {
  const details = Object.keys(r.details).length === 0 ? null : JSON.stringify(r.details);
  return csvRow([r.seq, r.at, r.event, r.result, r.actor?.email ?? r.actor?.id ?? null, r.ip, r.device?.id, r.device?.manufacturer, r.device?.serial, r.target?.type, r.target?.id, r.reason, details]);
}

/**
 * The chain check for the settings page (operators), and the trail every user reads (docs/audit-trail.md).
 * Neither read is audited: they change nothing; a device filter outside the scope is (404).
 */
export function auditRoutes(deps: { auditTrail: Pick<AuditTrailService, 'status'>; auditRecords: Pick<AuditRecordsService, 'page' | 'records'> }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/api/audit/status', {
      config: { access: 'audit.read' },
      schema: {
        tags: ['audit'],
        summary: 'Verify the audit chain (MACs, links, anchors) and show the newest anchor (operators)',
        response: { 200: AuditStatusView, ...errorResponses },
      },
      handler: async (request) => deps.auditTrail.status({ principal: principalOf(request), actor: request.actor }),
    });

    app.get('/api/audit', {
      config: { access: 'audit.read_own' },
      schema: {
        tags: ['audit'],
        summary: 'A page of the audit records of the devices you may see (operators: every record), newest first',
        querystring: AuditTrailQuery,
        response: { 200: AuditTrailPageView, ...errorResponses },
      },
      handler: async (request) => deps.auditRecords.page({ principal: principalOf(request), actor: request.actor, query: request.query }),
    });

    app.get('/api/audit.csv', {
      config: { access: 'audit.read_own' },
      schema: {
        tags: ['audit'],
        summary: 'The filtered audit trail as CSV (formula-like cells neutralised), streamed',
        querystring: AuditTrailCsvQuery,
        response: { ...errorResponses },
      },
      handler: async (request, reply) => {
        // Checked before the first byte: a refusal is still a JSON error with its status.
        const records = await deps.auditRecords.records({ principal: principalOf(request), actor: request.actor, query: request.query });
        async function* lines() {
          yield csvRow(csvHeader);
          for await (const record of records) yield csvLine(record);
        }
        reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="audit-trail.csv"').header('cache-control', 'no-store');
        return reply.send(Readable.from(lines()));
      },
    });
  };
}
