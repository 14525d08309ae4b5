import { type SelectQueryBuilder, sql } from 'kysely';
import { applyDeviceScope, type DeviceScope } from '../../access/device-scope.js';
import type { Executor } from '../../db/database.js';
import type { Database } from '../../db/schema.js';

// The audit trail as a user reads it (docs/audit-trail.md): the records of the devices in his
// scope, newest first, in pages by sequence number. A record is a device's when `audit_devices`
// links it, or when one of the device's `grants` rows names it (the grant and the revocation).

export interface TrailFilter {
  /** Device ids already checked against the scope; undefined: every device of the scope. */
  deviceIds?: readonly string[];
  /** Whose acts; null: an address without an account, so nothing matches. */
  actorId?: string | null;
  event?: string;
  /** ISO instants, `to` inclusive. */
  from?: string;
  to?: string;
}

export interface TrailRow {
  seq: number;
  occurred_at: string;
  action: string;
  result: string;
  actor_id: string | null;
  actor_role: string | null;
  actor_email: string | null;
  ip: string | null;
  target_type: string | null;
  target_id: string | null;
  reason: string | null;
  details: string;
  device_id: string | null;
  device_manufacturer: string | null;
  device_serial: string | null;
}

type DevicesQuery = SelectQueryBuilder<Database, 'devices', object>;

/**
 * The (seq, device) pairs of the devices the base query yields, each of the three ways a record
 * reaches a device; `beforeSeq` cuts each side, so a page never materialises older links.
 */
function linksOf(base: DevicesQuery, beforeSeq: number | undefined) {
  const linked = base
    .innerJoin('audit_devices as ad', 'ad.device_id', 'devices.id')
    .select(['ad.audit_seq as seq', 'devices.id as device_id'])
    .$if(beforeSeq !== undefined, (q) => q.where('ad.audit_seq', '<', beforeSeq ?? 0));
  const byGrant = (column: 'g.granted_audit_id' | 'g.revoked_audit_id') =>
    base
      .innerJoin('grants as g', 'g.device_id', 'devices.id')
      .innerJoin('audit_log as ga', 'ga.id', column)
      .select(['ga.seq as seq', 'devices.id as device_id'])
      .$if(beforeSeq !== undefined, (q) => q.where('ga.seq', '<', beforeSeq ?? 0));
  return linked.unionAll(byGrant('g.granted_audit_id')).unionAll(byGrant('g.revoked_audit_id'));
}

export function createAuditTrailRepo(db: Executor) {
  return {
    /** The device ids matching an id or a serial within the scope (a few at most). */
    async devicesMatching(scope: DeviceScope, idOrSerial: string): Promise<string[]> {
      const q = db.selectFrom('devices').select('devices.id').where((eb) => eb.or([eb('devices.id', '=', idOrSerial), eb('devices.serial', '=', idOrSerial)]));
      const rows = await applyDeviceScope(q, scope).orderBy('devices.id').limit(20).execute();
      return rows.map((r) => r.id);
    },

    /** Whose acts the actor filter means; null: no account has this address. */
    async userIdByEmail(email: string): Promise<string | null> {
      const row = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
      return row?.id ?? null;
    },

    /**
     * Up to `limit` records older than `beforeSeq`, newest first. Unscoped and without a device:
     * a walk of the trail backwards; otherwise the scope's links first (the device filter makes
     * that an index range per device), then their records.
     */
    async page(input: { scope: DeviceScope; filter: TrailFilter; beforeSeq?: number; limit: number }): Promise<TrailRow[]> {
      const { scope, filter, beforeSeq, limit } = input;
      if (filter.actorId === null || (filter.deviceIds !== undefined && filter.deviceIds.length === 0)) return [];
      const everything = scope.kind === 'all' && scope.onlyDevices === undefined && scope.matching === undefined && filter.deviceIds === undefined;
      // A superuser's customer accounts may hold most devices: gathering all their links before
      // the first page took seconds among 10,000,000 records; walking the trail backwards and
      // asking each record whether it reaches his scope stops at the page (docs/audit-trail.md).
      const walk = scope.kind === 'some' && scope.customerAccountIds.length > 0 && filter.deviceIds === undefined;
      // The devices of the scope that the record `a` reaches: by its link, or by a grants row naming it.
      const inScope = (way: 'linked' | 'granted' | 'revoked') => {
        const devices = applyDeviceScope(db.selectFrom('devices') as DevicesQuery, scope);
        if (way === 'linked') return devices.innerJoin('audit_devices as x', 'x.device_id', 'devices.id').select((eb) => eb.fn.min('devices.id').as('m')).where(sql<boolean>`x.audit_seq = a.seq`);
        return devices.innerJoin('grants as g', 'g.device_id', 'devices.id').select((eb) => eb.fn.min('devices.id').as('m')).where(sql<boolean>`${sql.ref(way === 'granted' ? 'g.granted_audit_id' : 'g.revoked_audit_id')} = a.id`);
      };
      let q = everything || walk
        ? db
            .selectFrom('audit_log as a')
            .select(
              walk
                ? sql<string | null>`coalesce((${inScope('linked')}), (${inScope('granted')}), (${inScope('revoked')}))`.as('device_id')
                : sql<string | null>`(select min(x.device_id) from audit_devices x where x.audit_seq = a.seq)`.as('device_id'),
            )
            .$if(beforeSeq !== undefined, (w) => w.where('a.seq', '<', beforeSeq ?? 0))
            .$if(walk, (w) => w.where(sql<boolean>`coalesce((${inScope('linked')}), (${inScope('granted')}), (${inScope('revoked')})) is not null`))
        : db
            .selectFrom(() => {
              // Every link of the scope is gathered anyway: walk the reader's grants first
              // ('drive') rather than probing the grants index once per linked device.
              const walk: DeviceScope = scope.kind === 'some' && filter.deviceIds === undefined ? { ...scope, grants: 'drive' } : scope;
              let base = applyDeviceScope(db.selectFrom('devices') as DevicesQuery, walk);
              if (filter.deviceIds !== undefined) base = base.where('devices.id', 'in', filter.deviceIds);
              return db
                .selectFrom(linksOf(base, beforeSeq).as('l'))
                .select(['l.seq', (eb) => eb.fn.min('l.device_id').as('device_id')])
                .groupBy('l.seq')
                .as('c');
            })
            .innerJoin('audit_log as a', 'a.seq', 'c.seq')
            .select('c.device_id');
      if (filter.actorId !== undefined) q = q.where('a.actor_id', '=', filter.actorId);
      if (filter.event !== undefined) q = q.where('a.action', '=', filter.event);
      if (filter.from !== undefined) q = q.where('a.occurred_at', '>=', filter.from);
      if (filter.to !== undefined) q = q.where('a.occurred_at', '<=', filter.to);
      const rows = await db
        .selectFrom(q.select(['a.seq', 'a.occurred_at', 'a.action', 'a.result', 'a.actor_id', 'a.actor_role', 'a.ip', 'a.target_type', 'a.target_id', 'a.reason', 'a.details']).orderBy('a.seq', 'desc').limit(limit).as('r'))
        .leftJoin('users as u', 'u.id', 'r.actor_id')
        .leftJoin('devices as d', 'd.id', 'r.device_id')
        .selectAll('r')
        .select(['u.email as actor_email', 'd.manufacturer as device_manufacturer', 'd.serial as device_serial'])
        .orderBy('r.seq', 'desc')
        .execute();
      return rows.map((r) => ({ ...r, seq: Number(r.seq) })) as TrailRow[];
    },
  };
}

export type AuditTrailRepo = ReturnType<typeof createAuditTrailRepo>;
