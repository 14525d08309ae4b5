// The register and unit tables (docs/protocols/kmp.md, 'Registers' and 'Units'; PyKMP's list as the
// reference). Each register has a name as Kamstrup's documents give it and the field a reading
// carries, named as the wM-Bus readings name the same quantity (wmbusmeters `kamheat` and
// `omnipower`: total_energy_consumption_kwh, total_volume_m3, t1_temperature_c, …). The field's
// suffix is the unit the value is converted to (kmpFields); a field without one holds text.

export interface KmpRegister {
  name: string;
  field: string;
}

const REGISTERS: ReadonlyArray<readonly [number, string, string]> = [
  // Electricity meters (OMNIPOWER, 162, 382)
  [1, 'Energy in', 'total_energy_consumption_kwh'],
  [2, 'Energy out', 'total_energy_production_kwh'],
  [13, 'Energy in, high resolution', 'total_energy_consumption_hires_kwh'],
  [14, 'Energy out, high resolution', 'total_energy_production_hires_kwh'],
  // Heat and cooling meters (MULTICAL 302, 303, 403, 603)
  [60, 'Heat energy E1', 'total_energy_consumption_kwh'],
  [61, 'Inlet energy E4', 'inlet_energy_e4_kwh'],
  [62, 'Outlet energy E5', 'outlet_energy_e5_kwh'],
  [63, 'Cooling energy E3', 'total_cooling_energy_kwh'],
  [64, 'Tariff register TA2', 'tariff_ta2'],
  [65, 'Tariff register TA3', 'tariff_ta3'],
  [68, 'Volume V1', 'total_volume_m3'],
  [69, 'Volume V2', 'total_volume_v2_m3'],
  [72, 'Mass M1', 'mass_m1_t'],
  [73, 'Mass M2', 'mass_m2_t'],
  [74, 'Flow V1', 'volume_flow_m3h'],
  [75, 'Flow V2', 'volume_flow_v2_m3h'],
  [80, 'Actual power', 'power_kw'],
  [84, 'Pulse input A1', 'pulse_input_a1'],
  [85, 'Pulse input B1', 'pulse_input_b1'],
  [86, 'Flow temperature T1', 't1_temperature_c'],
  [87, 'Return temperature T2', 't2_temperature_c'],
  [88, 'Temperature T3', 't3_temperature_c'],
  [89, 'Temperature difference T1 − T2', 'flow_return_temperature_difference_c'],
  [91, 'Pressure P1', 'pressure_p1_bar'],
  [92, 'Pressure P2', 'pressure_p2_bar'],
  [94, 'Heat energy E2', 'energy_e2_kwh'],
  [95, 'Tap water energy E6', 'tap_water_energy_e6_kwh'],
  [96, 'Tap water energy E7', 'tap_water_energy_e7_kwh'],
  [97, 'Inlet energy E8 (V1 · T1)', 'forward_energy_m3c'],
  [98, 'Target date', 'target_date'],
  [99, 'Information code', 'info_codes'],
  [110, 'Outlet energy E9 (V1 · T2)', 'return_energy_m3c'],
  [113, 'Information event counter', 'info_event'],
  [122, 'Temperature T4', 't4_temperature_c'],
  [123, 'Max. flow this year, date', 'max_flow_year_date'],
  [124, 'Max. flow this year', 'max_flow_year_m3h'],
  [125, 'Min. flow this year, date', 'min_flow_year_date'],
  [126, 'Min. flow this year', 'min_flow_year_m3h'],
  [127, 'Max. power this year, date', 'max_power_year_date'],
  [128, 'Max. power this year', 'max_power_year_kw'],
  [129, 'Min. power this year, date', 'min_power_year_date'],
  [130, 'Min. power this year', 'min_power_year_kw'],
  [138, 'Max. flow this month, date', 'max_flow_month_date'],
  [139, 'Max. flow this month', 'max_flow_month_m3h'],
  [140, 'Min. flow this month, date', 'min_flow_month_date'],
  [141, 'Min. flow this month', 'min_flow_month_m3h'],
  [142, 'Max. power this month, date', 'max_power_month_date'],
  [143, 'Max. power this month', 'max_power_month_kw'],
  [144, 'Min. power this month, date', 'min_power_month_date'],
  [145, 'Min. power this month', 'min_power_month_kw'],
  [146, 'Average T1 this year', 'avg_t1_year_temperature_c'],
  [147, 'Average T2 this year', 'avg_t2_year_temperature_c'],
  [149, 'Average T1 this month', 'avg_t1_month_temperature_c'],
  [150, 'Average T2 this month', 'avg_t2_month_temperature_c'],
  [175, 'Error hour counter', 'on_time_at_error_h'],
  [239, 'Volume V1, high resolution', 'total_volume_hires_m3'],
  [266, 'Heat energy E1, high resolution', 'total_energy_consumption_hires_kwh'],
  [267, 'Cooling energy E3, high resolution', 'total_cooling_energy_hires_kwh'],
  [1001, 'Serial number (fabrication no.)', 'fabrication_no'],
  [1002, 'Time', 'meter_time'],
  [1003, 'Date', 'meter_date'],
  [1004, 'Hour counter', 'on_time_h'],
  [1005, 'Software edition', 'software_edition'],
  // Electricity meters, instantaneous
  [1023, 'Power in', 'current_power_consumption_kw'],
  [1024, 'Power out', 'current_power_production_kw'],
  [1054, 'Voltage L1', 'voltage_at_phase_1_v'],
  [1055, 'Voltage L2', 'voltage_at_phase_2_v'],
  [1056, 'Voltage L3', 'voltage_at_phase_3_v'],
  [1076, 'Current L1', 'current_at_phase_1_a'],
  [1077, 'Current L2', 'current_at_phase_2_a'],
  [1078, 'Current L3', 'current_at_phase_3_a'],
  [1080, 'Power in L1', 'current_power_consumption_phase_1_kw'],
  [1081, 'Power in L2', 'current_power_consumption_phase_2_kw'],
  [1082, 'Power in L3', 'current_power_consumption_phase_3_kw'],
];

export const KMP_REGISTERS: ReadonlyMap<number, KmpRegister> = new Map(REGISTERS.map(([rid, name, field]) => [rid, { name, field }]));

/** What a poll reads from a heat meter when not told otherwise: ten registers, two requests. */
export const KMP_DEFAULT_HEAT_REGISTERS: readonly number[] = [60, 63, 68, 74, 80, 86, 87, 89, 99, 1004];

/** The electricity registers of a 162/382 (docs/protocols/kmp.md). */
export const KMP_DEFAULT_ELECTRICITY_REGISTERS: readonly number[] = [1, 2, 1023, 1054, 1055, 1056, 1076, 1077, 1078];

export const KMP_UNITS: ReadonlyMap<number, string> = new Map([
  [0, ''], [1, 'Wh'], [2, 'kWh'], [3, 'MWh'], [4, 'GWh'], [5, 'J'], [6, 'kJ'], [7, 'MJ'], [8, 'GJ'],
  [9, 'cal'], [10, 'kcal'], [11, 'Mcal'], [12, 'Gcal'], [13, 'varh'], [14, 'kvarh'], [15, 'Mvarh'], [16, 'Gvarh'],
  [17, 'VAh'], [18, 'kVAh'], [19, 'MVAh'], [20, 'GVAh'], [21, 'W'], [22, 'kW'], [23, 'MW'], [24, 'GW'],
  [25, 'var'], [26, 'kvar'], [27, 'Mvar'], [28, 'Gvar'], [29, 'VA'], [30, 'kVA'], [31, 'MVA'], [32, 'GVA'],
  [33, 'V'], [34, 'A'], [35, 'kV'], [36, 'kA'], [37, '°C'], [38, 'K'], [39, 'l'], [40, 'm³'], [41, 'l/h'],
  [42, 'm³/h'], [43, 'm³·°C'], [44, 't'], [45, 't/h'], [46, 'h'], [47, 'hh:mm:ss'], [48, 'yy:mm:dd'],
  [49, 'yyyy:mm:dd'], [50, 'mm:dd'], [51, ''], [52, 'bar'], [53, 'RTC'], [54, 'ASCII'], [55, 'm³ ×10'],
  [56, 't ×10'], [57, 'GJ ×10'], [58, 'min'], [59, 'bit field'], [60, 's'], [61, 'ms'], [62, 'days'],
  [63, 'RTC-Q'], [64, 'date and time'], [65, 'imp/l'], [66, 'l/imp'],
]);

/** The unit's name, or `unit 0xNN` for one the table does not know. */
export function kmpUnitName(unit: number): string {
  return KMP_UNITS.get(unit) ?? `unit 0x${unit.toString(16).padStart(2, '0')}`;
}
