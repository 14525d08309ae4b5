import { encodeDateTime, type DlmsData } from '../../drivers/dlms/axdr.js';
import { formatObis, parseObis } from '../../drivers/dlms/obis.js';
import type { OmnipowerRegister, OmnipowerState } from './omnipower-registers.js';

// The COSEM objects the simulated meter serves, over its register state: registers (class 3,
// attribute 2 the value, 3 {scaler, unit}), the clock (class 8, 0-0:1.0.0.255), the meter's serial
// (class 1, 0-0:96.1.0.255) and a load profile (class 7, 1-0:99.1.0.255) long enough that a GET of
// its buffer goes in blocks. Every attribute 1 is the logical name.

export const CLOCK_OBIS = '0-0:1.0.0.255';
export const SERIAL_OBIS = '0-0:96.1.0.255';
export const PROFILE_OBIS = '1-0:99.1.0.255';
export const ASSOCIATION_OBIS = '0-0:40.0.0.255';

/** data-access-result values the meter answers with. */
export const ACCESS = { readWriteDenied: 3, objectUndefined: 4 } as const;

export type GetResult = DlmsData | { accessError: number };

const uint = (r: OmnipowerRegister): DlmsData => ({ type: r.type, value: r.raw });
const octets = (b: Buffer): DlmsData => ({ type: 'octet-string', value: b });
const scalerUnit = (r: OmnipowerRegister): DlmsData => ({
  type: 'structure',
  value: [
    { type: 'int8', value: r.scaler },
    { type: 'enum', value: r.unit },
  ],
});

/** The push list of a Kamstrup-like HAN port: the clock, then {OBIS, value, {scaler, unit}} per register. */
export function pushBody(registers: readonly OmnipowerRegister[], now: Date): DlmsData {
  return {
    type: 'array',
    value: [
      { type: 'structure', value: [octets(parseObis(CLOCK_OBIS)), octets(encodeDateTime(now))] },
      ...registers.map((r): DlmsData => ({ type: 'structure', value: [octets(parseObis(r.obis)), uint(r), scalerUnit(r)] })),
    ],
  };
}

export interface ObjectModel {
  get(classId: number, obis: Buffer, attribute: number): GetResult;
}

export function createObjectModel(o: { state: OmnipowerState; serial: string; now: () => Date }): ObjectModel {
  return {
    get(classId, obisBytes, attribute) {
      const obis = formatObis(obisBytes);
      if (attribute === 1) return octets(Buffer.from(obisBytes));
      if (classId === 3) {
        const r = o.state.registers().find((x) => x.obis === obis);
        if (r === undefined) return { accessError: ACCESS.objectUndefined };
        if (attribute === 2) return uint(r);
        if (attribute === 3) return scalerUnit(r);
        return { accessError: ACCESS.readWriteDenied };
      }
      if (classId === 8 && obis === CLOCK_OBIS) {
        if (attribute === 2) return octets(encodeDateTime(o.now()));
        return { accessError: ACCESS.readWriteDenied };
      }
      if (classId === 1 && obis === SERIAL_OBIS && attribute === 2) return { type: 'visible-string', value: o.serial };
      if (classId === 7 && obis === PROFILE_OBIS) {
        if (attribute === 2) {
          return {
            type: 'array',
            value: o.state.profile().map((p): DlmsData => ({ type: 'structure', value: [octets(encodeDateTime(p.at)), { type: 'uint32', value: p.importWh }] })),
          };
        }
        if (attribute === 3) {
          const capture = (classOf: number, of: string): DlmsData => ({
            type: 'structure',
            value: [{ type: 'uint16', value: classOf }, octets(parseObis(of)), { type: 'int8', value: 2 }, { type: 'uint16', value: 0 }],
          });
          return { type: 'array', value: [capture(8, CLOCK_OBIS), capture(3, '1-0:1.8.0.255')] };
        }
        return { accessError: ACCESS.readWriteDenied };
      }
      return { accessError: ACCESS.objectUndefined };
    },
  };
}
