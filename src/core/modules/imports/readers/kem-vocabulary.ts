import type { Medium } from '../../../../shared/inventory/device-fields.js';

// Kamstrup's names in KEM/KEM2 files translated to openeks's vocabulary (docs/product.md "KEM",
// inventory.md "Import"). Names not listed keep their text (model) or become `other` (medium).

const models: ReadonlyMap<string, string> = new Map([
  ['MC21', 'MULTICAL 21'],
  ['MC302', 'MULTICAL 302'],
  ['MC303', 'MULTICAL 303'],
  ['MC403', 'MULTICAL 403'],
  ['MC603', 'MULTICAL 603'],
  ['MC803', 'MULTICAL 803'],
  ['flowIQ2200', 'flowIQ 2200'],
  ['FIQ2200', 'flowIQ 2200'],
  ['flowIQ3100', 'flowIQ 3100'],
  ['FIQ3100', 'flowIQ 3100'],
  ['OMNIPOWER', 'OMNIPOWER'],
]);

const mediaByConsumption: ReadonlyMap<string, Medium> = new Map([
  ['VolumeCold', 'water-cold'],
  ['VolumeHot', 'water-warm'],
  ['Heat', 'heat'],
  ['Cooling', 'cooling'],
  // A heat/cooling meter is registered as a heat meter; the model says the rest.
  ['HeatCooling', 'heat'],
  ['Electricity', 'electricity'],
  ['Gas', 'gas'],
]);

/** `MC21` → `MULTICAL 21`; a name not known is kept as it is. */
export function modelFromMeterName(name: string): string {
  return models.get(name) ?? name;
}

/** `VolumeCold` → `water-cold`; anything not known → `other`. */
export function mediumFromConsumption(type: string): Medium {
  return mediaByConsumption.get(type) ?? 'other';
}

// The way back, for the KEM and KEM2 downloads (exports/formats/kem-format.ts): what the names
// above read, written again, so a file openeks writes imports to the same models and media.

const meterNames: ReadonlyMap<string, string> = new Map([...models].reverse().map(([name, model]) => [model, name]));
const consumptionByMedium: ReadonlyMap<Medium, string> = new Map([
  ['water-cold', 'VolumeCold'],
  ['water-warm', 'VolumeHot'],
  ['heat', 'Heat'],
  ['cooling', 'Cooling'],
  ['electricity', 'Electricity'],
  ['gas', 'Gas'],
]);

/** `MULTICAL 21` → `MC21`, `flowIQ 2200` → `flowIQ2200`; a model not known is written as it is. */
export function meterNameFromModel(model: string | null): string {
  if (model === null) return '';
  return meterNames.get(model) ?? model;
}

/** `water-cold` → `VolumeCold`; `other` (and anything not known) → empty, which reads back as `other`. */
export function consumptionFromMedium(medium: string): string {
  return consumptionByMedium.get(medium as Medium) ?? '';
}
