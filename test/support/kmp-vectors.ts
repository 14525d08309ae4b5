import { readFileSync } from 'node:fs';

// The `kmp` and `kmp-float` entries of test/fixtures/protocol-vectors.json, read from the one file.
export interface KmpVector {
  kind: 'kmp' | 'kmp-float';
  description: string;
  input_hex: string;
  expected: {
    physical_frame?: string;
    crc?: string;
    value?: string;
    decoded?: {
      serial?: number;
      registers?: Array<{ rid: number; unit: number; length: number; si_se: string; mantissa: string; value: string }>;
    };
  };
}

const PATH = new URL('../fixtures/protocol-vectors.json', import.meta.url);

export const kmpVectors: KmpVector[] = (JSON.parse(readFileSync(PATH, 'utf8')) as KmpVector[]).filter((v) => v.kind === 'kmp' || v.kind === 'kmp-float');
