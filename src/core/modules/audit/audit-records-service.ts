import { AppError } from '../../../shared/errors.js';
import type { AuditRecordView, AuditTrailCsvQuery, AuditTrailPageView, AuditTrailQuery } from '../../../shared/api/audit.js';
import type { AccessGuard } from '../../access/access-guard.js';
import type { Actor } from '../../access/actor.js';
import { deviceScopeOf } from '../../access/device-scope.js';
import type { Principal } from '../../access/principal.js';
import { auditEvents } from './audit-events.js';
import type { TrailFilter, TrailRow } from './audit-trail-repo.js';
import type { AuditTrailRepo } from './audit-trail-repo.js';

// "Protokoll" (issue 12 item 4, docs/audit-trail.md): every user reads the records of the devices
// he may see now (his device scope, read per request like the device list), operators every
// record. Reading is not audited: it changes nothing and shows only what the scope allows; a
// device filter outside the scope is refused as "not found", and that refusal is audited.

/** Facts of a record a non-operator may read: about the device, never about other devices or users. */
const deviceFacts = new Set(['keyType', 'version', 'from', 'to', 'reason', 'outcome', 'keyVersion']);

const CSV_PAGE = 500;

const invalid = (field: string, reason: string, message: string) => new AppError('validation_failed', message, { details: [{ field, reason }] });

/** A day or an instant as the ISO form the trail stores; a day's `to` is its last millisecond. */
function instant(field: 'from' | 'to', text: string): string {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const at = new Date(day ? `${text}T00:00:00.000Z` : text);
  if (Number.isNaN(at.getTime()) || (day && at.toISOString().slice(0, 10) !== text)) throw invalid(field, 'not a date', `${field}: ${text} is not a real date.`);
  if (day && field === 'to') return new Date(at.getTime() + 86_400_000 - 1).toISOString();
  return at.toISOString();
}

export function createAuditRecordsService(deps: { repo: AuditTrailRepo; guard: AccessGuard }) {
  async function prepare(principal: Principal, actor: Actor, query: AuditTrailCsvQuery) {
    await deps.guard.require(principal, actor, 'audit.read_own');
    if (query.event !== undefined && !(query.event in auditEvents)) throw invalid('event', 'unknown event', `event: ${query.event} is not an audit event.`);
    const from = query.from === undefined ? undefined : instant('from', query.from);
    const to = query.to === undefined ? undefined : instant('to', query.to);
    if (from !== undefined && to !== undefined && from > to) throw invalid('to', 'before from', 'to: the end lies before the start.');
    const scope = await deviceScopeOf(principal);
    const filter: TrailFilter = { ...(query.event === undefined ? {} : { event: query.event }), ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
    if (query.device !== undefined) {
      const ids = await deps.repo.devicesMatching(scope, query.device);
      if (ids.length === 0) throw await deps.guard.notFound(actor, { type: 'device', id: query.device }, 'No such device.');
      filter.deviceIds = ids;
    }
    if (query.actor !== undefined) filter.actorId = await deps.repo.userIdByEmail(query.actor.trim().toLowerCase());
    const operator = principal.kind === 'system' || principal.roles.includes('operator');
    const self = principal.kind === 'system' ? null : principal.userId;
    return { scope, filter, view: (row: TrailRow) => viewOf(row, operator, self) };
  }

  return {
    async page({ principal, actor, query }: { principal: Principal; actor: Actor; query: AuditTrailQuery }): Promise<AuditTrailPageView> {
      const { scope, filter, view } = await prepare(principal, actor, query);
      const limit = query.limit ?? 50;
      const rows = await deps.repo.page({ scope, filter, limit: limit + 1, ...(query.cursor === undefined ? {} : { beforeSeq: Number(query.cursor) }) });
      const items = rows.slice(0, limit).map(view);
      return { items, nextCursor: rows.length > limit ? String(items[items.length - 1]?.seq) : null };
    },

    /** Checks the request, then yields the whole filtered trail page by page (the CSV download). */
    async records({ principal, actor, query }: { principal: Principal; actor: Actor; query: AuditTrailCsvQuery }): Promise<AsyncIterable<AuditRecordView>> {
      const { scope, filter, view } = await prepare(principal, actor, query);
      return (async function* walk() {
        let beforeSeq: number | undefined;
        for (;;) {
          const rows = await deps.repo.page({ scope, filter, limit: CSV_PAGE, ...(beforeSeq === undefined ? {} : { beforeSeq }) });
          for (const row of rows) yield view(row);
          if (rows.length < CSV_PAGE) return;
          beforeSeq = rows[rows.length - 1]?.seq;
        }
      })();
    },
  };
}

function viewOf(row: TrailRow, operator: boolean, self: string | null): AuditRecordView {
  let details: AuditRecordView['details'] = {};
  try {
    details = JSON.parse(row.details) as AuditRecordView['details'];
  } catch {
    // An unreadable details field is shown as none; verify reports the record if it was altered.
  }
  if (!operator) details = Object.fromEntries(Object.entries(details).filter(([name]) => deviceFacts.has(name)));
  // Another user (a reader granted the same device, an invitee) is the operators' to see.
  const showTarget = row.target_type !== null && row.target_id !== null && (operator || row.target_type !== 'user' || row.target_id === self);
  return {
    seq: row.seq,
    at: row.occurred_at,
    event: row.action,
    result: row.result,
    actor: row.actor_id === null ? null : { id: row.actor_id, email: row.actor_email, role: row.actor_role },
    ip: row.ip,
    target: showTarget ? { type: row.target_type ?? '', id: row.target_id ?? '' } : null,
    device: row.device_id === null ? null : { id: row.device_id, manufacturer: row.device_manufacturer, serial: row.device_serial },
    reason: row.reason,
    details,
  };
}

export type AuditRecordsService = ReturnType<typeof createAuditRecordsService>;
