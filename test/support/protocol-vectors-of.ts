import { readFileSync } from 'node:fs';
import { protocolVectorsPath } from '../fixtures/fixture-files.js';

// The entries of test/fixtures/protocol-vectors.json of one kind, read from the one file rather
// than kept as a copy that could drift from it.
export interface ProtocolVector {
  kind: string;
  description: string;
  keys: Record<string, string>;
  input_hex: string;
  expected: Record<string, unknown>;
  source: string;
}

/** Every entry of the file, in its order. */
export const allProtocolVectors = JSON.parse(readFileSync(protocolVectorsPath, 'utf8')) as ProtocolVector[];

export function vectorsOf(kind: string): ProtocolVector[] {
  const found = allProtocolVectors.filter((v) => v.kind === kind);
  if (found.length === 0) throw new Error(`no protocol vector of kind ${kind}`);
  return found;
}
