import type { AttributeDescriptor } from './apdu.js';
import type { DlmsData } from './axdr.js';
import { DlmsAccessRefused } from './access-refused.js';
import { DlmsError } from './errors.js';
import { cosemFields, formatObis, objectOf, parseObis, type CosemObject } from './obis.js';
import type { Fields } from '../wmbus/meters/fields.js';

// Reading registers for the client: class 3 attribute 2 (the value) and attribute 3 (scaler and
// unit), named and scaled by the same OBIS table the push reader uses, so a value read by polling
// and the same value pushed get the same field name. An object that is not a register (class 1
// Data: the meter's id, the firmware) is read as its attribute 2 alone.

/** As the push reader lists objects (CosemObject), plus the scaler the meter gave. */
export interface RegisterObject extends CosemObject {
  scaler?: number;
}

const REGISTER = 3;
const DATA = 1;
const MAX_OBJECTS = 64;
// data-access-results that mean "not a register here", after which the object is tried as Data.
const NOT_THIS_CLASS = new Set([4, 9, 11]); // object-undefined, object-class-inconsistent, object-unavailable

type Get = (d: AttributeDescriptor) => Promise<DlmsData>;

function scalerUnitOf(d: DlmsData): { scaler: number; unit: number } {
  if (d.type === 'structure' && d.value.length === 2) {
    const [s, u] = d.value;
    if (s && u && 'value' in s && typeof s.value === 'number' && 'value' in u && typeof u.value === 'number') return { scaler: s.value, unit: u.value };
  }
  throw new DlmsError('bad-value', 0, 'the scaler_unit attribute is not a structure { int8 scaler, enum unit }');
}

function isNotThisClass(e: unknown): boolean {
  return e instanceof DlmsAccessRefused && NOT_THIS_CLASS.has(e.accessError);
}

export async function readRegisterObjects(obisList: readonly string[], get: Get): Promise<{ objects: RegisterObject[]; fields: Fields }> {
  if (obisList.length === 0 || obisList.length > MAX_OBJECTS) throw new DlmsError('bad-value', 0, `between 1 and ${MAX_OBJECTS} OBIS codes per read`);
  const objects: RegisterObject[] = [];
  const raw: Array<{ obis: string; value: DlmsData; scaler?: number; unit?: number }> = [];
  for (const text of obisList) {
    const code = parseObis(text);
    const obis = formatObis(code);
    let value: DlmsData;
    let scalerUnit: { scaler: number; unit: number } | undefined;
    try {
      value = await get({ classId: REGISTER, obis: code, attribute: 2 });
      scalerUnit = scalerUnitOf(await get({ classId: REGISTER, obis: code, attribute: 3 }));
    } catch (e) {
      if (!isNotThisClass(e)) throw e;
      value = await get({ classId: DATA, obis: code, attribute: 2 });
    }
    const object: RegisterObject = objectOf(obis, value, scalerUnit?.scaler, scalerUnit?.unit).object;
    if (scalerUnit) object.scaler = scalerUnit.scaler;
    objects.push(object);
    raw.push({ obis, value, ...(scalerUnit ? { scaler: scalerUnit.scaler, unit: scalerUnit.unit } : {}) });
  }
  return { objects, fields: cosemFields(raw) };
}
