// The DLMS unit enumeration (Blue Book 4.3.2, the `unit` of a register's scaler_unit), as text.
// 255 is "count" (no unit); 254 "other".
export const DLMS_UNITS: ReadonlyMap<number, string> = new Map([
  [1, 'a'], [2, 'mo'], [3, 'wk'], [4, 'd'], [5, 'h'], [6, 'min'], [7, 's'], [8, '°'], [9, '°C'], [10, 'currency'],
  [11, 'm'], [12, 'm/s'], [13, 'm³'], [14, 'm³'], [15, 'm³/h'], [16, 'm³/h'], [17, 'm³/d'], [18, 'm³/d'], [19, 'l'], [20, 'kg'],
  [21, 'N'], [22, 'Nm'], [23, 'Pa'], [24, 'bar'], [25, 'J'], [26, 'J/h'], [27, 'W'], [28, 'VA'], [29, 'var'], [30, 'Wh'],
  [31, 'VAh'], [32, 'varh'], [33, 'A'], [34, 'C'], [35, 'V'], [36, 'V/m'], [37, 'F'], [38, 'Ω'], [39, 'Ωm²/m'], [40, 'Wb'],
  [41, 'T'], [42, 'A/m'], [43, 'H'], [44, 'Hz'], [45, '1/(Wh)'], [46, '1/(varh)'], [47, '1/(VAh)'], [48, 'V²h'], [49, 'A²h'],
  [50, 'kg/s'], [51, 'S'], [52, 'K'], [53, '1/(V²h)'], [54, '1/(A²h)'], [55, '1/m³'], [56, '%'], [57, 'Ah'],
  [60, 'Wh/m³'], [61, 'J/m³'], [62, 'mol %'], [63, 'g/m³'], [64, 'Pa s'], [65, 'J/kg'], [66, 'g/cm²'], [67, 'atm'],
  [70, 'dBm'], [71, 'dBµV'], [72, 'dB'], [254, 'other'], [255, 'count'],
]);

/**
 * From a unit as meters write it to the unit a field name promises (kWh, kW, kvarh …): a positive
 * number multiplies, a negative one divides (Wh → kWh divides by 1,000, so 1122 Wh is exactly 1.122
 * kWh, where × 0.001 would give 1.1220000000000001 and a rounding).
 */
const TO_FIELD_UNIT: ReadonlyMap<string, number> = new Map([
  ['kWh|Wh', -1e3], ['kWh|kWh', 1], ['kWh|MWh', 1e3],
  ['kW|W', -1e3], ['kW|kW', 1], ['kW|MW', 1e3],
  ['kvarh|varh', -1e3], ['kvarh|kvarh', 1], ['kvarh|Mvarh', 1e3],
  ['kvar|var', -1e3], ['kvar|kvar', 1], ['kvar|Mvar', 1e3],
  ['kVAh|VAh', -1e3], ['kVAh|kVAh', 1],
  ['kVA|VA', -1e3], ['kVA|kVA', 1],
  ['V|V', 1], ['V|kV', 1e3],
  ['A|A', 1], ['A|mA', -1e3],
  ['Hz|Hz', 1],
  ['|count', 1], ['|', 1],
]);

/** The factor from `fromUnit` to `fieldUnit` (negative: a divisor), or undefined when they do not convert. */
export function unitFactor(fromUnit: string, fieldUnit: string): number | undefined {
  return TO_FIELD_UNIT.get(`${fieldUnit}|${fromUnit}`);
}

/** `value` in `fieldUnit`, or undefined when the units do not convert (a meter's unit we do not expect). */
export function toFieldUnit(value: number, fromUnit: string, fieldUnit: string): number | undefined {
  const f = unitFactor(fromUnit, fieldUnit);
  if (f === undefined) return undefined;
  return f === 1 ? value : tidy(f < 0 ? value / -f : value * f);
}

// Rounded to 6 decimals as wmbusmeters prints numbers (and drivers/wmbus/meters/fields.ts): exact
// short decimals stay as they are, the rest goes through toFixed.
export function tidy(v: number): number {
  if (v < 1e8 && v > -1e8 && Math.round(v * 1e4) / 1e4 === v) return v + 0;
  return Number(v.toFixed(6)) + 0;
}

/** value × 10^scaler, rounded to 6 decimals (division for negative scalers: 2307 × 10⁻¹ = 230.7 exactly). */
export function scaled(value: number | bigint, scaler: number): number {
  const n = Number(value);
  if (scaler === 0) return tidy(n);
  return tidy(scaler < 0 ? n / 10 ** -scaler : n * 10 ** scaler);
}
