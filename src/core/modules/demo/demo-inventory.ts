import { randomBytes } from 'node:crypto';
import type { Rng } from '../../../lib/prng.js';
import type { ImportRow } from '../imports/import-row.js';

// A realistic demo inventory, the same for the same seed: utilities as customers, orders of
// Kamstrup-like meters (now and then a concentrator), delivery notes, deliveries spread over the
// last two years. Only the keys are not reproducible: they come from the CSPRNG (SEC-10), since
// a demo database has a way of becoming a real one. The seeded picks come from lib/prng.ts.

const towns = [
  'Musterstadt', 'Neustadt', 'Altdorf', 'Bergheim', 'Talhausen', 'Seeburg', 'Waldkirch', 'Rheinau', 'Lindenberg', 'Ostfeld',
  'Westerholz', 'Kirchberg', 'Hohenfels', 'Mühlbach', 'Steinfurt', 'Auenwald', 'Birkenau', 'Eichstätt', 'Sonnenberg', 'Wiesental',
] as const;
const utilities = ['Stadtwerke', 'Gemeindewerke', 'Energieversorgung', 'Wasserverband', 'Wohnbau'] as const;

export interface DemoCustomer {
  customerNo: string;
  name: string;
}

export function demoCustomers(count: number): DemoCustomer[] {
  return Array.from({ length: count }, (_, i) => {
    const town = towns[i % towns.length] ?? 'Musterstadt';
    const utility = utilities[Math.floor(i / towns.length) % utilities.length] ?? 'Stadtwerke';
    const round = Math.floor(i / (towns.length * utilities.length));
    return { customerNo: `DEMO-${String(i + 1).padStart(4, '0')}`, name: `${utility} ${town}${round > 0 ? ` ${round + 1}` : ''}` };
  });
}

interface Model {
  model: string;
  media: readonly string[];
  typePrefix: string;
  weight: number;
}

const meterModels: readonly Model[] = [
  { model: 'MULTICAL 21', media: ['water-cold', 'water-cold', 'water-warm'], typePrefix: '021', weight: 30 },
  { model: 'flowIQ 2200', media: ['water-cold'], typePrefix: '022', weight: 20 },
  { model: 'flowIQ 3100', media: ['water-cold', 'water-warm'], typePrefix: '031', weight: 10 },
  { model: 'MULTICAL 302', media: ['heat'], typePrefix: '302', weight: 15 },
  { model: 'MULTICAL 403', media: ['heat', 'heat', 'cooling'], typePrefix: '403', weight: 10 },
  { model: 'MULTICAL 603', media: ['heat', 'cooling'], typePrefix: '603', weight: 5 },
  { model: 'OMNIPOWER', media: ['electricity'], typePrefix: '684', weight: 10 },
];
const totalWeight = meterModels.reduce((sum, m) => sum + m.weight, 0);

function pickModel(random: Rng): Model {
  let at = random.int(totalWeight);
  for (const m of meterModels) {
    if (at < m.weight) return m;
    at -= m.weight;
  }
  return meterModels[0] as Model;
}

const hexKey = (): string => randomBytes(16).toString('hex').toUpperCase();
const digits = (random: Rng, n: number): string => Array.from({ length: n }, () => String(random.int(10))).join('');

export interface Delivery {
  /** YYYY-MM-DD */
  deliveryDate: string;
  devices: number;
}

/** How the devices are spread over deliveries: one a month over the two years before `today`, at most 24. */
export function deliveries(total: number, today: Date, random: Rng): Delivery[] {
  const count = Math.max(1, Math.min(24, Math.ceil(total / 50)));
  const out: Delivery[] = [];
  let left = total;
  for (let i = 0; i < count; i++) {
    const monthsBack = 23 - Math.floor((i * 24) / count);
    const day = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - monthsBack, 1 + random.int(28)));
    const date = day.getTime() > today.getTime() ? today : day;
    const devices = i === count - 1 ? left : Math.floor(total / count);
    left -= devices;
    out.push({ deliveryDate: date.toISOString().slice(0, 10), devices });
  }
  return out;
}

/**
 * The rows of one delivery: orders of a few hundred to a few thousand devices, each for one
 * customer, model and delivery note. Serials count up from `firstSerial` (8-digit meter IDs).
 */
export async function* deliveryRows(input: { devices: number; firstSerial: number; customers: readonly DemoCustomer[]; random: Rng; year: string }): AsyncIterable<ImportRow> {
  const { random } = input;
  let line = 1;
  let made = 0;
  while (made < input.devices) {
    const orderSize = Math.min(input.devices - made, 20 + random.int(2_000));
    const customer = random.pick(input.customers);
    const model = pickModel(random);
    const medium = random.pick(model.media);
    const orderNo = `${input.year}-${digits(random, 7)}`;
    const typeNo = `${model.typePrefix}-${digits(random, 4)}`;
    const configNo = digits(random, 9);
    let deliveryNote = '';
    for (let i = 0; i < orderSize; i++) {
      if (i % 500 === 0) deliveryNote = `LS${digits(random, 8)}`;
      const serial = input.firstSerial + made;
      made += 1;
      const common = { manufacturer: 'KAM', orderNo, deliveryNote, customerNo: customer.customerNo, typeNo: '', configNo: '' };
      if (random.int(400) === 0) {
        const id = `KC-${String(serial).padStart(8, '0')}`;
        const concentrator = { ...common, serial: id, kind: 'concentrator', medium: 'other', model: 'READy Concentrator' };
        yield { row: ++line, values: { ...concentrator, keyType: 'GAK', key: hexKey() } };
        yield { row: ++line, values: { ...concentrator, keyType: 'GUEK', key: hexKey() } };
        continue;
      }
      yield { row: ++line, values: { ...common, serial: String(serial), kind: 'meter', medium, model: model.model, typeNo, configNo, keyType: 'DEK', key: hexKey() } };
    }
  }
}
