import type { AuditRepo } from './audit-repo.js';
import type { Anchor, AnchorFile } from './audit-anchors.js';
import { newestAnchor } from './audit-anchors.js';
import { auditHash, auditMac, genesisHash } from './audit-hash.js';
import type { ChainKey } from './audit-keys.js';

export type AuditProblem = 'edited' | 'broken-link' | 'anchor-mismatch' | 'forged-anchor' | 'missing-tail' | 'unverifiable';

export interface ChainFacts {
  records: number;
  /** Records MACed under a chain key. */
  keyed: number;
  /** Plain SHA-256 records after the first keyed one: written while the vault was sealed. */
  unkeyedSinceKeying: number;
  head: string;
  headSeq: number | undefined;
  /** The newest valid anchor (highest seq), of any instance. */
  anchor: Anchor | undefined;
}

export type AuditVerdict =
  | ({ ok: true; warnings: string[] } & ChainFacts)
  | ({ ok: false; seq: number | undefined; problem: AuditProblem; message: string } & ChainFacts);

export interface VerifyInput {
  /** Every epoch's chain key; undefined when the vault is sealed (keyed records cannot be checked). */
  keys: ReadonlyMap<number, ChainKey> | undefined;
  /** The anchor file, read with the same keys; undefined when it could not be checked. */
  anchors: AnchorFile | undefined;
  pageSize?: number;
}

type Walk = { facts: ChainFacts; failure?: { seq: number; problem: AuditProblem; message: string }; unchecked: number; lastKeyedSeq: number | undefined; seen: Set<number> };

/**
 * Walks the chain in order and stops at the first record that does not hold: its hash or MAC does
 * not match its fields (edited) or it does not point at its predecessor (a record before it was
 * deleted, inserted or the two were swapped), or it differs from what an anchor recorded for it.
 * Without keys it still checks every link and every plain record, and counts the MACs it could
 * not check. Reads in pages so a long trail needs little memory.
 */
async function walk(repo: Pick<AuditRepo, 'pageAfter'>, keys: ReadonlyMap<number, ChainKey> | undefined, anchored: Map<number, Anchor[]>, pageSize: number): Promise<Walk> {
  const facts: ChainFacts = { records: 0, keyed: 0, unkeyedSinceKeying: 0, head: genesisHash, headSeq: undefined, anchor: undefined };
  const seen = new Set<number>();
  let afterSeq = 0;
  let unchecked = 0;
  let lastKeyedSeq: number | undefined;
  const fail = (seq: number, problem: AuditProblem, message: string): Walk => ({ facts, failure: { seq, problem, message }, unchecked, lastKeyedSeq, seen });
  for (;;) {
    const rows = await repo.pageAfter(afterSeq, pageSize);
    for (const row of rows) {
      const { seq, hash, ...fields } = row;
      if (fields.prev_hash !== facts.head) {
        return fail(seq, 'broken-link', `record ${seq} (${row.id}) does not follow the record before it: a record was deleted, inserted or moved before it`);
      }
      let expected: string | undefined;
      if (fields.key_epoch === null) {
        expected = auditHash(fields);
        if (facts.keyed > 0) facts.unkeyedSinceKeying += 1;
      } else {
        const key = keys?.get(fields.key_epoch);
        if (keys !== undefined && key === undefined) return fail(seq, 'edited', `record ${seq} (${row.id}) names chain key epoch ${fields.key_epoch}, which does not exist`);
        expected = key === undefined ? undefined : auditMac(key.mac, fields);
        facts.keyed += 1;
        lastKeyedSeq = seq;
        if (expected === undefined) unchecked += 1;
      }
      // Hashes and MACs are stored integrity data shown to operators, not secrets, and nobody can
      // time this offline walk against guesses: a timing-safe compare buys nothing.
      if (expected !== undefined && expected !== hash) {
        return fail(seq, 'edited', `record ${seq} (${row.id}) was changed after it was written`);
      }
      for (const anchor of anchored.get(seq) ?? []) {
        // eslint-disable-next-line security/detect-possible-timing-attacks -- stored hashes, see above
        if (anchor.hash !== hash) return fail(seq, 'anchor-mismatch', `record ${seq} (${row.id}) is not the record the anchor of ${anchor.at} (instance ${anchor.instance}) recorded`);
      }
      seen.add(seq);
      facts.head = hash;
      facts.headSeq = seq;
      afterSeq = seq;
      facts.records += 1;
    }
    if (rows.length < pageSize) return { facts, unchecked, lastKeyedSeq, seen };
  }
}

export async function verifyAuditChain(repo: Pick<AuditRepo, 'pageAfter'>, input: VerifyInput): Promise<AuditVerdict> {
  const anchors = input.anchors?.valid ?? [];
  const anchored = new Map<number, Anchor[]>();
  for (const a of anchors) anchored.set(a.seq, [...(anchored.get(a.seq) ?? []), a]);
  const { facts, failure, unchecked, lastKeyedSeq, seen } = await walk(repo, input.keys, anchored, input.pageSize ?? 5000);
  const newest = newestAnchor(anchors);
  facts.anchor = newest;
  if (failure) return { ok: false, ...failure, ...facts };

  if (unchecked > 0 || input.anchors === undefined) {
    return {
      ok: false,
      seq: undefined,
      problem: 'unverifiable',
      message: `the MACs of ${unchecked} keyed records and the anchors cannot be checked without the key vault; the links of all ${facts.records} records hold`,
      ...facts,
    };
  }
  if (input.anchors.forged.length > 0) {
    return { ok: false, seq: undefined, problem: 'forged-anchor', message: `the anchor file has lines whose signature does not hold (line ${input.anchors.forged.join(', ')})`, ...facts };
  }
  if (newest !== undefined && (facts.headSeq === undefined || facts.headSeq < newest.seq)) {
    const from = (facts.headSeq ?? 0) + 1;
    return {
      ok: false,
      seq: from,
      problem: 'missing-tail',
      message: `missing tail: records ${from}…${newest.seq} were removed after the anchor of ${newest.at} (instance ${newest.instance})`,
      ...facts,
    };
  }
  const gone = anchors.find((a) => !seen.has(a.seq));
  if (gone !== undefined) {
    return { ok: false, seq: gone.seq, problem: 'anchor-mismatch', message: `record ${gone.seq}, recorded by the anchor of ${gone.at} (instance ${gone.instance}), is gone`, ...facts };
  }

  const warnings: string[] = [];
  if (input.anchors.unreadable.length > 0) warnings.push(`anchor file lines ${input.anchors.unreadable.join(', ')} are not anchors (cut short?) and were ignored`);
  if (facts.keyed > 0 && newest === undefined) warnings.push('no anchor yet: removing the newest records would not be noticed');
  if (facts.unkeyedSinceKeying > 0) warnings.push(`${facts.unkeyedSinceKeying} records after the first keyed one are plain SHA-256 (written while the vault was sealed)`);
  const tailStart = Math.max(lastKeyedSeq ?? 0, newest?.seq ?? 0);
  if (facts.keyed > 0 && facts.headSeq !== undefined && facts.headSeq > tailStart && (lastKeyedSeq ?? 0) < facts.headSeq) {
    warnings.push(`records after ${tailStart} are neither keyed nor anchored yet: they could be rewritten unnoticed`);
  }
  return { ok: true, warnings, ...facts };
}
