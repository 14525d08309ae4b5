import { SaxesParser } from 'saxes';
import { isAppError } from '../../../../shared/errors.js';
import type { ImportRow, ImportValues } from '../import-row.js';
import { mediumFromConsumption, modelFromMeterName } from './kem-vocabulary.js';
import { DOCTYPE_PROBLEM, DoctypeGuard } from './doctype-guard.js';
import { unreadable } from './reader-errors.js';
import { Utf8Check } from './utf8-check.js';
import { type CodedReason, importProblem } from '../../../../shared/inventory/import-problems.js';

const MAX_VALUE = 65_536;
const NON_ASCII = /[^\x00-\x7f]/;

interface Shape {
  root: string;
  record: string;
}
const shapes = {
  kem: { root: 'MetersInOrder', record: 'Meter' },
  kem2: { root: 'Devices', record: 'Device' },
} as const satisfies Record<string, Shape>;

/**
 * Turns the decrypted XML into rows, one per key, as it streams by. saxes gets the bytes as
 * latin1 text (after a separate UTF-8 check), so its positions are byte offsets; values are
 * decoded as UTF-8 where they are not ASCII. Errors name the offset, never the content: it holds keys.
 */
export class KemPlaintext {
  private readonly parser = new SaxesParser<{ xmlns: false; position: true }>({ xmlns: false, position: true });
  private readonly utf8 = new Utf8Check('The decrypted KEM content');
  private readonly doctype = new DoctypeGuard();
  private readonly shape: Shape;
  private readonly stack: string[] = [];
  private text = '';
  private record = 0;
  private orderId = '';
  private fields: Partial<Record<string, string>> = {};
  private keys: { type: string; value: string }[] = [];
  private keyName = '';
  private keyValue = '';

  constructor(
    private readonly format: 'kem' | 'kem2',
    private readonly onRow: (row: ImportRow) => void,
  ) {
    this.shape = shapes[format];
    this.parser.on('opentag', (tag) => this.open(tag.name, tag.attributes));
    this.parser.on('text', (text) => this.addText(text));
    this.parser.on('closetag', (tag) => this.close(tag.name));
  }

  push(bytes: Buffer): void {
    this.utf8.push(bytes);
    const text = bytes.toString('latin1');
    const doctypeAt = this.doctype.scan(text);
    if (doctypeAt !== undefined) throw this.malformed(DOCTYPE_PROBLEM, doctypeAt);
    this.parse(() => this.parser.write(text));
  }

  end(): void {
    this.utf8.end();
    this.parse(() => this.parser.close());
  }

  private parse(step: () => void): void {
    try {
      step();
    } catch (err) {
      if (isAppError(err)) throw err;
      throw this.malformed(importProblem('content_malformed', {}));
    }
  }

  private malformed(coded: CodedReason, offset = this.parser.position) {
    return unreadable(`The KEM file's content is not valid: ${coded.reason} (at byte ${offset} of the decrypted content).`, { field: 'content', ...coded, offset });
  }

  private open(name: string, attributes: Record<string, string>): void {
    const depth = this.stack.length;
    this.stack.push(name);
    this.text = '';
    if (depth === 0) {
      if (name !== this.shape.root) throw this.malformed(importProblem('content_root', { root: this.shape.root }));
      this.orderId = utf8(attributes['orderid'] ?? '').trim();
    } else if (depth === 1 && name === this.shape.record) {
      this.record++;
      this.fields = {};
      this.keys = [];
    }
  }

  private addText(text: string): void {
    this.text += text;
    if (this.text.length > MAX_VALUE) throw this.malformed(importProblem('content_value_too_long', { max: MAX_VALUE }));
  }

  private close(name: string): void {
    const depth = this.stack.length - 1;
    const parent = this.stack[depth - 1];
    const value = depth >= 2 ? utf8(this.text).trim() : '';
    this.stack.pop();
    this.text = '';
    if (depth === 1 && name === this.shape.record) this.emit();
    else if (depth === 2 && parent === this.shape.record) this.fields[name] = value;
    else if (this.format === 'kem' && depth === 3 && parent === 'EncKeys') this.keys.push({ type: name, value });
    else if (this.format === 'kem2' && depth === 4 && parent === 'Key') {
      if (name === 'Name') this.keyName = value;
      if (name === 'Value') this.keyValue = value;
    } else if (this.format === 'kem2' && depth === 3 && name === 'Key' && parent === 'Keys') {
      this.keys.push({ type: this.keyName, value: this.keyValue });
      this.keyName = this.keyValue = '';
    }
  }

  private emit(): void {
    const f = this.fields;
    const kem = this.format === 'kem';
    const values = {
      serial: (kem ? f['SerialNo'] || f['MeterNo'] : f['SerialNumber']) ?? '',
      manufacturer: (kem ? f['VendorId'] : f['ManufacturerId']) || 'KAM',
      kind: 'meter',
      medium: mediumFromConsumption((kem ? f['ConsumptionType'] : f['ConsumptionTypeName']) ?? ''),
      model: modelFromMeterName((kem ? f['MeterName'] : f['ShortName']) ?? ''),
      typeNo: (kem ? f['TypeNo'] : f['TypeNumber']) ?? '',
      configNo: (kem ? f['ConfigNo'] : f['ConfigNumber']) ?? '',
      orderNo: (kem ? this.orderId : f['OrderNumber']) ?? '',
      deliveryNote: '',
      customerNo: '',
    };
    const row = this.record;
    // One literal per row, not a spread: this runs a million times for a large order.
    const withKey = (keyType: string, key: string): ImportValues => ({
      serial: values.serial, manufacturer: values.manufacturer, kind: values.kind, medium: values.medium, model: values.model,
      typeNo: values.typeNo, configNo: values.configNo, orderNo: values.orderNo, deliveryNote: '', customerNo: '', keyType, key,
    });
    if (this.keys.length === 0) {
      this.onRow({ row, values: withKey('', ''), problem: { row, field: kem ? 'EncKeys' : 'Keys', ...importProblem('no_keys', {}) } });
    }
    for (const key of this.keys) this.onRow({ row, values: withKey(key.type, key.value) });
  }
}

/** saxes saw latin1 text; values that are not ASCII were UTF-8 bytes. */
function utf8(latin1: string): string {
  return NON_ASCII.test(latin1) ? Buffer.from(latin1, 'latin1').toString('utf8') : latin1;
}
