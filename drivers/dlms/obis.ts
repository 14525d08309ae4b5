// OBIS codes and what they mean: the written form (obis-code.ts), the DLMS units and scaling
// (units.ts), and the one table from codes to reading fields (obis-fields.ts).
export { formatObis, normalizeObis, parseObis } from './obis-code.js';
export { DLMS_UNITS, scaled, tidy, toFieldUnit } from './units.js';
export {
  OBIS_FIELDS, OBIS_NAMES, cosemFields, fieldOfObis, objectOf, obisField, octetsText, valueText, type CosemObject, type ObisField,
} from './obis-fields.js';
