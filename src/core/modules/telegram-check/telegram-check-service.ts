import {
  METER_DRIVERS, WmbusError, createTelegramPipeline,
  type MeterIdentity, type TelegramOutcome as DecodeOutcome, type TelegramPipeline,
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

const addressOf = (a: MeterIdentity) => ({ manufacturer: a.manufacturer, id: a.id, version: a.version, deviceType: a.deviceType });

const notATelegram = (e: WmbusError): TelegramCheckResult => ({ outcome: 'not-a-telegram', reason: e.code, offset: e.offset });

const NO_KEYS: readonly Buffer[] = [];
const noKeys = (): readonly Buffer[] => NO_KEYS;

/** The device's driver hint when it names a driver of ours. */
const driverOf = (device: DeviceRow): { driver?: string } => {
  const hint = device.driver_hint ?? undefined;
  return hint !== undefined && METER_DRIVERS.includes(hint) ? { driver: hint } : {};
};

/** The values of a telegram the pipeline read (decrypted or plaintext); a compact frame has none without its full frame. */
function readingOf(r: DecodeOutcome): Reading {
  if (r.kind === 'reading') return { reading: { driver: r.driver, fields: r.fields } };
  if (r.kind === 'needs-full-frame') return { reason: 'needs-full-frame' };
  if (r.kind === 'bad-telegram') return { reason: r.code, offset: r.offset };
  return {};
}

/** Whether the telegram got as far as its records (an error there is about the values, not the telegram). */
const decoded = (r: DecodeOutcome): boolean => r.kind === 'reading' || r.kind === 'needs-full-frame' || (r.kind === 'bad-telegram' && r.offsetIn === 'application-data');

const failure = (r: DecodeOutcome & { kind: 'bad-telegram' }): WmbusError => new WmbusError(r.code, r.offset, r.message);

/** The key against every reading of the input (the decode pipeline also tries its byte-reversed form). */
function tryKey(pipeline: TelegramPipeline, frames: readonly Frame[], key: Buffer, device: DeviceRow): Pick<TelegramCheckResult, 'outcome' | 'reading' | 'reason' | 'offset'> {
  if (key.length !== 16) return { outcome: 'does-not-decrypt', reason: 'bad-key' }; // an AES-256 DEK is no wM-Bus key
  const keys = [key];
  const withKey = (): readonly Buffer[] => keys;
  let reversedFits = false;
  for (const frame of frames) {
    const r = pipeline.read(frame.telegram, withKey, driverOf(device));
    if (decoded(r)) return { outcome: 'decrypts', ...readingOf(r) };
    if (r.kind === 'key-refused') reversedFits ||= r.reversedKeyFits;
    else if (r.kind === 'bad-telegram') throw failure(r);
  }
  return { outcome: reversedFits ? 'reversed-key' : 'does-not-decrypt' };
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
  async function checkDevice(principal: Principal, actor: Actor, pipeline: TelegramPipeline, frames: readonly Frame[], probe: Probe, device: DeviceRow): Promise<Omit<TelegramCheckResult, 'address' | 'device'>> {
    if (!probe.encrypted) {
      const hint = driverOf(device);
      // Read again only when the device names its driver (the probe used the detected one).
      const r = hint.driver === undefined ? probe.outcome : pipeline.read(probe.frame.telegram, noKeys, hint);
      return { outcome: 'not-encrypted', ...readingOf(r) };
    }
    const active = await deps.keys.readActive({ principal, actor, deviceId: device.id, keyType: 'DEK' });
    if (!active) return { outcome: 'no-key' };
    try {
      return { keyVersion: active.version, ...tryKey(pipeline, frames, active.key, device) };
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
      // One pipeline per check: a compact frame decodes only with a full frame of the same input.
      const pipeline = createTelegramPipeline();
      let frames: Frame[];
      let probe: Probe;
      try {
        ({ frames, probe } = readable(pipeline, framesOf(parsed.bytes)));
      } catch (e) {
        if (e instanceof WmbusError) return notATelegram(e);
        throw e;
      }
      const address = addressOf(probe.meter);
      const device = await deps.devices.meterByAddress(await deviceScopeOf(principal), { manufacturer: probe.meter.manufacturer, serial: probe.meter.id });
      if (!device) return { outcome: 'no-device', address };
      const { outcome, ...rest } = await checkDevice(principal, actor, pipeline, frames, probe, device);
      await audit(actor, device, outcome, rest.keyVersion);
      return { outcome, address, device: { id: device.id, manufacturer: device.manufacturer, serial: device.serial, model: device.model }, ...rest };
    },
  };
}

/** The first reading of the input that decodes without a key: its meter, and whether it is encrypted. */
interface Probe {
  frame: Frame;
  meter: MeterIdentity;
  encrypted: boolean;
  outcome: DecodeOutcome;
}

/**
 * The readings of the input whose headers decode (no key), with the first one as the probe; when
 * none does, the first one's error.
 */
function readable(pipeline: TelegramPipeline, frames: readonly Frame[]): { frames: Frame[]; probe: Probe } {
  let first: WmbusError | undefined;
  let probe: Probe | undefined;
  const ok: Frame[] = [];
  for (const frame of frames) {
    const r = pipeline.read(frame.telegram, noKeys);
    if (r.kind === 'bad-telegram' && r.offsetIn === 'telegram') {
      first ??= failure(r);
      continue;
    }
    probe ??= { frame, meter: r.meter as MeterIdentity, encrypted: r.kind === 'no-key', outcome: r };
    ok.push(frame);
  }
  if (!probe) throw first ?? new WmbusError('truncated', 0, 'no telegram in the input');
  return { frames: ok, probe };
}

export type TelegramCheckService = ReturnType<typeof createTelegramCheckService>;
