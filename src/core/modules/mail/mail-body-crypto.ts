import type { DecryptInput, Vault } from '../../vault/vault-service.js';
import type { Executor } from '../../db/database.js';

// Mail bodies at rest (docs/crypto.md §4, SEC-10): a queued mail can hold a one-time link, so its
// text and HTML are stored only as vault ciphertext until the deliverer sends them, and erased
// then. The vault seals secrets of up to 4 KiB; a body is cut into parts of that size, each its own
// envelope, joined by a space. Every part's associated data names the row, the column, the
// recipient and its place among all parts: a part copied to another mail, column or place, a
// dropped part, or a recipient changed in the database makes the body fail to open.

export type BodyColumn = 'body_text' | 'body_html';

export interface BodyContext {
  mailId: string;
  column: BodyColumn;
  recipient: string;
}

const partBytes = 4096;

function contextOf(where: BodyContext, part: number, parts: number) {
  return { table: 'mail_outbox', rowId: where.mailId, column: where.column, recipient: where.recipient, part, parts };
}

export async function sealBody(vault: Pick<Vault, 'encrypt'>, body: string, where: BodyContext, trx?: Executor): Promise<string> {
  const bytes = Buffer.from(body, 'utf8');
  const parts = Math.max(1, Math.ceil(bytes.length / partBytes));
  const sealed: string[] = [];
  for (let part = 0; part < parts; part += 1) {
    const plaintext = bytes.subarray(part * partBytes, (part + 1) * partBytes);
    // An empty body is never rendered (every mail has a greeting); the vault refuses 0 bytes anyway.
    const { ciphertext } = await vault.encrypt({ plaintext, context: contextOf(where, part, parts) }, trx);
    sealed.push(ciphertext);
  }
  return sealed.join(' ');
}

/** The body as it was sealed; rejects with `key_integrity` when any part fails to open. */
export async function openBody(vault: Pick<Vault, 'decryptMany'>, stored: string, where: BodyContext, trx?: Executor): Promise<string> {
  const envelopes = stored.split(' ');
  const inputs: DecryptInput[] = envelopes.map((ciphertext, part) => ({ ciphertext, context: contextOf(where, part, envelopes.length) }));
  const parts = await vault.decryptMany(inputs, trx);
  const body = Buffer.concat(parts);
  for (const part of parts) part.fill(0);
  return body.toString('utf8');
}
