import { createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadBenchConfig } from './bench-config.js';
import { benchDevices, kemFile, kemKey, keysCsv } from './key-export.js';
import { KEY_CSV_HEADER } from '../src/shared/inventory/key-csv-columns.js';

function decryptKem(file: string, password: string): string {
  const b64 = /<CipherValue>([A-Za-z0-9+/=]+)<\/CipherValue>/.exec(file)?.[1] ?? '';
  const key = kemKey(password);
  const d = createDecipheriv('aes-128-cbc', key, key);
  return Buffer.concat([d.update(Buffer.from(b64, 'base64')), d.final()]).toString('utf8');
}

describe('key export', () => {
  it('writes the import CSV with one DEK per meter', async () => {
    const c = await loadBenchConfig('config/bench.yaml');
    const lines = keysCsv(c.meters).trim().split('\n');
    expect(lines[0]).toBe(KEY_CSV_HEADER);
    expect(lines[1]).toBe('63941885,KAM,meter,water-cold,MULTICAL 21,,,,,,DEK,C0938B9F2CA9672BCD0013FA6AC75F6E');
    expect(lines).toHaveLength(5);
  });

  it('writes the MULTICAL 603 with its DEK and each DLMS meter with a GUEK and a GAK row', async () => {
    const c = await loadBenchConfig('config/bench.yaml');
    const lines = keysCsv(c.meters, c).trim().split('\n');
    expect(lines).toHaveLength(10);
    expect(lines.slice(5)).toEqual([
      '60312345,KAM,meter,heat,MULTICAL 603,,,,,,DEK,1B447EAFDA53291879AE307423070D29',
      '57012345,KAM,meter,electricity,OMNIPOWER,,,,,,GUEK,8409DBE84DC8B9C5DB18978723F64CF6',
      '57012345,KAM,meter,electricity,OMNIPOWER,,,,,,GAK,F440F8A6202FB144E57FB3F11D42D0CB',
      '57012346,KAM,meter,electricity,OMNIPOWER,,,,,,GUEK,D14FA6A00934B38F6DDA51C84489E841',
      '57012346,KAM,meter,electricity,OMNIPOWER,,,,,,GAK,28B4CA364E363405B2DEE73910FDEF01',
    ]);
    expect(benchDevices(c.meters, c).slice(3)).toEqual([
      { manufacturer: 'DME', serial: '40312233' },
      { manufacturer: 'KAM', serial: '60312345' },
      { manufacturer: 'KAM', serial: '57012345' },
      { manufacturer: 'KAM', serial: '57012346' },
    ]);
    expect(decryptKem(kemFile(c.meters, 'pw', 'o', c.kmp), 'pw')).toContain('<SerialNo>60312345</SerialNo><EncKeys><DEK>1B447EAFDA53291879AE307423070D29</DEK></EncKeys><MeterName>MC603</MeterName><ConsumptionType>Heat</ConsumptionType>');
  });

  it('writes through the shared CSV writer: a formula-like cell is neutralised (issue 11, item 10)', () => {
    const meter = { kind: 'oms-water' as const, id: '12345678', key: '00112233445566778899AABBCCDDEEFF', intervalSeconds: 60, manufacturer: "=cmd|' /C calc'!A0" };
    expect(keysCsv([meter]).split('\n')[1]).toBe(`12345678,"'=cmd|' /C calc'!A0",meter,water-cold,OMS water meter,,,,,,DEK,00112233445566778899AABBCCDDEEFF`);
  });

  it('writes a KEM shaped like Kamstrup’s, which decrypts with the password only', async () => {
    const c = await loadBenchConfig('config/bench.yaml');
    const file = kemFile(c.meters, '0450284H');
    const sample = readFileSync(new URL('../test/fixtures/kem/kamstrup-sample.kem', import.meta.url), 'utf8');
    const shell = (s: string): string => s.replace(/<CipherValue>.*<\/CipherValue>/, '<CipherValue/>');
    expect(shell(file)).toBe(shell(sample));
    const plain = decryptKem(file, '0450284H');
    expect(plain.startsWith('<MetersInOrder ')).toBe(true);
    expect(plain).toContain('<MeterNo>63941885</MeterNo><SerialNo>63941885</SerialNo><EncKeys><DEK>C0938B9F2CA9672BCD0013FA6AC75F6E</DEK></EncKeys>');
    let wrong = '';
    try {
      wrong = decryptKem(file, '0450284X');
    } catch {
      wrong = 'refused';
    }
    expect(wrong.startsWith('<MetersInOrder ')).toBe(false);
  });
});
