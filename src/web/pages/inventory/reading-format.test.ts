import i18next from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { de } from '../../i18n/de.js';
import { en } from '../../i18n/en.js';
import { readingRows } from './reading-format.js';

const nbsp = '\u00a0';

describe('decoded values for people', () => {
  const i18n = i18next.createInstance();
  beforeAll(async () => {
    await i18n.init({ lng: 'de', resources: { de: { translation: de }, en: { translation: en } }, interpolation: { escapeValue: false }, showSupportNotice: false });
  });
  const rows = (language: 'de' | 'en', driver: string, fields: Record<string, number | string | null>) =>
    readingRows(i18n.getFixedT(language), language, { driver, fields }).map((r) => [r.label, r.value]);

  it('names the MULTICAL 21 values and formats them in the reader’s language', () => {
    const fields = { status: 'DRY', total_m3: 6.408, target_m3: 6.4, flow_temperature_c: 127, external_temperature_c: 19, current_status: 'DRY', time_dry: '22-31 days', time_reversed: '' };
    expect(rows('de', 'multical21', fields)).toEqual([
      ['Status', 'Trocken (kein Wasser)'],
      ['Gesamtvolumen', `6,408${nbsp}m³`],
      ['Volumen am Stichtag', `6,400${nbsp}m³`],
      ['Wassertemperatur', `127${nbsp}°C`],
      ['Umgebungstemperatur', `19${nbsp}°C`],
      ['Aktuelle Alarme', 'Trocken (kein Wasser)'],
      ['Dauer trocken', '22–31 Tage'],
      ['Dauer mit Rückfluss', 'keine'],
    ]);
    expect(rows('en', 'multical21', { total_m3: 1234.5, time_dry: '22-31 days', current_status: '' })).toEqual([
      ['Total volume', `1,234.500${nbsp}m³`],
      ['Time dry', '22–31 days'],
      ['Current alarms', 'none'],
    ]);
  });

  it('reads flow_temperature as the flow pipe’s on a heat meter, and names its status bits', () => {
    expect(rows('de', 'kamheat', { flow_temperature_c: 72.5, total_energy_consumption_kwh: 183402, status: 'LOW_BATTERY_LEVEL ERROR_FLAGS_80000000', meter_date: '2026-11-28' })).toEqual([
      ['Vorlauftemperatur', `72,5${nbsp}°C`],
      ['Bezogene Energie gesamt', `183.402${nbsp}kWh`],
      ['Status', 'Batterie schwach, unbenannte Fehlerbits 0x80000000'],
      ['Datum im Zähler', '28.11.2026'],
    ]);
  });

  it('composes the generic decoder’s names from quantity, unit and qualifiers', () => {
    expect(rows('de', 'generic', { max_power_kw_storage_1_tariff_2: 1.5, energy_kwh_2: 10, fd_1e: 7, date_time: '2026-11-28T13:05', plain_text_liter: 3, relative_humidity_pct: 45.5 })).toEqual([
      ['Leistung (Maximum, gespeicherter Wert 1, Tarif 2)', `1,5${nbsp}kW`],
      ['Energie (wiederholter Wert 2)', `10${nbsp}kWh`],
      ['Wert mit VIF FD 1E', '7'],
      ['Datum und Uhrzeit', '28.11.2026, 13:05'],
      ['Wert in eigener Einheit', `3${nbsp}liter`],
      ['Relative Luftfeuchte', `45,5${nbsp}%`],
    ]);
    expect(rows('en', 'generic', { at_error_volume_flow_m3h_subunit_1: 0.25, credit_currency: 12 })).toEqual([
      ['Flow (at the time of an error, sub-unit 1)', `0.250${nbsp}m³/h`],
      ['Credit', `12${nbsp}currency units`],
    ]);
  });

  it('shows a name it does not know, and a value that is missing, as they came', () => {
    expect(rows('de', 'generic', { new_field_xyz: 'ABC', total_m3: null, status: 'SOMETHING_NEW' })).toEqual([
      ['new_field_xyz', 'ABC'],
      ['Gesamtvolumen', '–'],
      ['Status', 'SOMETHING_NEW'],
    ]);
  });
});
