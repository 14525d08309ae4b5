import {
  FormatCache, METER_DRIVERS, WmbusError, decodeMeter, decodeTelegram, meterRecords,
  type DecodedTelegram, type MeterAddress,
} from '../../../../drivers/wmbus/index.js';
import type { Clock } from '../../../lib/clock.js';
import { AppError } from '../../../shared/errors.js';
import type { AccessGuard } from '../../access/access-guard.js';
import { deviceScopeOf } from '../../access/device-scope.js';
import type { Principal } from '../../access/principal.js';
import type { Db } from '../../db/database.js';
import type { Actor } from '../../access/actor.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { DevicesRepo } from '../devices/devices-repo.js';
import type { KeyReader } from '../keys/key-reader.js';
import type { TelegramCheckResult, TelegramOutcome } from './telegram-check-schemas.js';
import { framesOf, parseTelegramHex, type Frame } from './telegram-input.js';

// Flow 6: does the stored key decrypt this telegram? The steps and their order are in README.md.

export type { TelegramCheckResult, TelegramOutcome } from './telegram-check-schemas.js';

export interface TelegramCheckDeps {
  db: Db;
  devices: Pick<DevicesRepo, 'meterByAddress'>;
  keys: Pick<KeyReader, 'readActive'>;
  guard: AccessGuard;
  audit: AuditWriter;
  clock: Clock;
}

interface DeviceRow {
  id: string;
  manufacturer: string;
  serial: string;
  model: string | null;
  driver_hint: string | null;
}

type Reading = Pick<TelegramCheckResult, 'reading' | 'reason' | 'offset'>;

const addressOf = (a: MeterAddress) => ({ manufacturer: a.manufacturer, id: a.id, version: a.version, deviceType: a.deviceType });

const notATelegram = (e: WmbusError): TelegramCheckResult => ({ outcome: 'not-a-telegram', reason: e.code, offset: e.offset });

/** The values of a plaintext telegram; a compact frame has none without its full frame. */
function readingOf(t: DecodedTelegram, device: DeviceRow): Reading {
  try {
    const records = meterRecords(t, new FormatCache());
    if (records.status === 'needs-full-frame') return { reason: 'needs-full-frame' };
    const hint = device.driver_hint ?? undefined;
    const reading = decodeMeter(t, records.records, hint !== undefined && METER_DRIVERS.includes(hint) ? { driver: hint } : {});
    return { reading: { driver: reading.driver, fields: reading.fields } };
  } catch (e) {
    if (e instanceof WmbusError) return { reason: e.code, offset: e.offset };
    throw e;
  }
}

/** Decodes with `key`; null when the key fails verification. Other WmbusErrors are thrown. */
function attempt(frame: Frame, key: Buffer): DecodedTelegram | null {
  try {
    return decodeTelegram(frame.telegram, { crc: 'stripped', key });
  } catch (e) {
    if (e instanceof WmbusError && e.code === 'does-not-decrypt') return null;
    throw e;
  }
}

/** The key against every reading of the input, then its byte-reversed form (a common mix-up). */
function tryKey(frames: readonly Frame[], key: Buffer, device: DeviceRow): Pick<TelegramCheckResult, 'outcome' | 'reading' | 'reason' | 'offset'> {
  if (key.length !== 16) return { outcome: 'does-not-decrypt', reason: 'bad-key' }; // an AES-256 DEK is no wM-Bus key
  for (const frame of frames) {
    const t = attempt(frame, key);
    if (t) return { outcome: 'decrypts', ...readingOf(t, device) };
  }
  const reversed = Buffer.from(key).reverse();
  try {
    return frames.some((frame) => attempt(frame, reversed) !== null) ? { outcome: 'reversed-key' } : { outcome: 'does-not-decrypt' };
  } finally {
    reversed.fill(0);
  }
}

export function createTelegramCheckService(deps: TelegramCheckDeps) {
  async function audit(actor: Actor, device: DeviceRow, outcome: TelegramOutcome, keyVersion: number | undefined): Promise<void> {
    await deps.db.kysely.transaction().execute((trx) =>
      deps.audit.write({
        actor,
        action: 'telegram.check',
        target: { type: 'device', id: device.id },
        devices: [device.id],
        result: 'allowed',
        details: { deviceId: device.id, outcome, keyVersion: keyVersion ?? null },
      }, trx),
    );
  }

  /** The key check on a device the user may see; reads (and wipes) the active DEK only if needed. */
  async function checkDevice(principal: Principal, actor: Actor, frames: readonly Frame[], header: DecodedTelegram, device: DeviceRow): Promise<Omit<TelegramCheckResult, 'address' | 'device'>> {
    if (!header.encrypted) return { outcome: 'not-encrypted', ...readingOf(header, device) };
    const active = await deps.keys.readActive({ principal, actor, deviceId: device.id, keyType: 'DEK' });
    if (!active) return { outcome: 'no-key' };
    try {
      return { keyVersion: active.version, ...tryKey(frames, active.key, device) };
    } catch (e) {
      if (e instanceof WmbusError) return { keyVersion: active.version, ...notATelegram(e) };
      throw e;
    } finally {
      active.key.fill(0);
    }
  }

  return {
    /**
     * Checks one telegram (hex) against the stored key of the device it names, among the devices
     * the principal may see. Every answer is an outcome; only input that is no hex at all is an
     * error (validation_failed, field `telegram`). Audited when a device was involved.
     */
    async check({ principal, actor, telegram }: { principal: Principal; actor: Actor; telegram: string }): Promise<TelegramCheckResult> {
      await deps.guard.require(principal, actor, 'telegram.check');
      const parsed = parseTelegramHex(telegram);
      if ('problem' in parsed) {
        throw new AppError('validation_failed', `The telegram ${parsed.problem}.`, { details: [{ field: 'telegram', reason: parsed.problem }] });
      }
      let frames: Frame[];
      let header: DecodedTelegram;
      try {
        ({ frames, header } = readable(framesOf(parsed.bytes)));
      } catch (e) {
        if (e instanceof WmbusError) return notATelegram(e);
        throw e;
      }
      const address = addressOf(header.meterAddress);
      const device = await deps.devices.meterByAddress(await deviceScopeOf(principal), { manufacturer: header.meterAddress.manufacturer, serial: header.meterAddress.id });
      if (!device) return { outcome: 'no-device', address };
      const { outcome, ...rest } = await checkDevice(principal, actor, frames, header, device);
      await audit(actor, device, outcome, rest.keyVersion);
      return { outcome, address, device: { id: device.id, manufacturer: device.manufacturer, serial: device.serial, model: device.model }, ...rest };
    },
  };
}

/**
 * The readings of the input whose headers decode (no key), with the first one's headers; when
 * none does, the first one's error.
 */
function readable(frames: readonly Frame[]): { frames: Frame[]; header: DecodedTelegram } {
  let first: unknown;
  let header: DecodedTelegram | undefined;
  const ok: Frame[] = [];
  for (const frame of frames) {
    try {
      const t = decodeTelegram(frame.telegram, { crc: 'stripped' });
      header ??= t;
      ok.push(frame);
    } catch (e) {
      first ??= e;
    }
  }
  if (!header) throw first;
  return { frames: ok, header };
}

export type TelegramCheckService = ReturnType<typeof createTelegramCheckService>;
