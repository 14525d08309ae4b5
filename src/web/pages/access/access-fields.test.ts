import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/client.js';
import type { QueuedRequest } from '../../api/access-api.js';
import {
  approvalCandidates,
  askedFor,
  initialSelection,
  linkProblems,
  numberMatch,
  orderedSelection,
  requestInput,
  requestProblems,
  serverLinkProblems,
  serverRequestProblems,
  waitedFor,
} from './access-fields.js';

const values = { customerNo: '4711', customerName: '', relation: 'dealer' as const, comment: '' };
const validation = (details: Array<{ field: string; reason: string }>) => new ApiError({ status: 400, code: 'validation_failed', message: 'x', details });
const stadtwerke = { id: 'cus_1', customerNo: '4711', name: 'Stadtwerke Musterstadt', deviceCount: 3 };
const wohnbau = { id: 'cus_2', customerNo: '4712', name: 'Wohnbau Musterstadt', deviceCount: 2 };

describe('a request’s fields', () => {
  it('accepts a number, a name or both, and trims them; empty ones become null', () => {
    expect(requestProblems(values)).toEqual({});
    expect(requestProblems({ ...values, customerNo: '', customerName: 'Stadtwerke' })).toEqual({});
    expect(requestInput({ customerNo: ' 4711 ', customerName: '  ', relation: 'customer-admin', comment: ' seit 2020\n' })).toEqual({
      customerNo: '4711',
      customerName: null,
      relation: 'customer-admin',
      comment: 'seit 2020',
    });
  });

  it('names every problem at its field', () => {
    expect(requestProblems({ customerNo: ' ', customerName: '', relation: null, comment: '' })).toEqual({ customerNo: 'customerRequired', relation: 'relationRequired' });
    expect(requestProblems({ ...values, customerNo: '47 11' })).toEqual({ customerNo: 'customerNoInvalid' });
    expect(requestProblems({ ...values, customerNo: 'x'.repeat(33) })).toEqual({ customerNo: 'customerNoInvalid' });
    expect(requestProblems({ ...values, customerName: 'ä'.repeat(200) })).toEqual({});
    expect(requestProblems({ ...values, customerName: 'ä'.repeat(201) })).toEqual({ customerName: 'nameTooLong' });
    expect(requestProblems({ ...values, customerName: 'A\u0007B' })).toEqual({ customerName: 'nameInvalid' });
    // The shared text rule (src/shared/text/text-rule.ts): a bidi override would disguise the request in the queue.
    expect(requestProblems({ ...values, customerName: 'Stadtwerke \u202egpj.exe', comment: 'bitte \ud800' })).toEqual({ customerName: 'nameInvalid', comment: 'commentInvalid' });
    expect(requestProblems({ ...values, comment: 'Zeile 1\nZeile 2\tmit Tab' })).toEqual({});
    expect(requestProblems({ ...values, comment: 'A\u0000' })).toEqual({ comment: 'commentInvalid' });
    // Counted in characters as the user sees them: 2,000 emoji are allowed, one more is not.
    expect(requestProblems({ ...values, comment: '🔑'.repeat(2000) })).toEqual({});
    expect(requestProblems({ ...values, comment: '🔑'.repeat(2001) })).toEqual({ comment: 'commentTooLong' });
  });

  it('maps the server’s field problems, whatever the path style', () => {
    expect(serverRequestProblems(validation([{ field: 'customerNo', reason: 'give the customer number, the customer name or both' }]))).toEqual({ customerNo: 'customerRequired' });
    expect(
      serverRequestProblems(
        validation([
          { field: 'customerNo', reason: 'a customer number is 1 to 32 letters' },
          { field: 'body.customerName', reason: 'must not contain control characters' },
          { field: 'comment', reason: 'a comment is at most 2000 characters' },
          { field: 'relation', reason: 'must be equal to one of the allowed values' },
        ]),
      ),
    ).toEqual({ customerNo: 'customerNoInvalid', customerName: 'nameInvalid', comment: 'commentTooLong', relation: 'relationRequired' });
    // The shared text rule's refusals are invalid text, not too long.
    expect(
      serverRequestProblems(
        validation([
          { field: 'customerName', reason: 'holds a lone surrogate (not valid Unicode)' },
          { field: 'comment', reason: 'holds a NUL character' },
        ]),
      ),
    ).toEqual({ customerName: 'nameInvalid', comment: 'commentInvalid' });
    expect(serverRequestProblems(new ApiError({ status: 409, code: 'access_request_open', message: 'x' }))).toEqual({});
    expect(serverRequestProblems(new Error('x'))).toEqual({});
  });
});

describe('what a request asks for', () => {
  it('joins number and name, and is null without either', () => {
    expect(askedFor({ customerNo: '4711', customerName: 'Stadtwerke Musterstadt' })).toBe('4711 · Stadtwerke Musterstadt');
    expect(askedFor({ customerNo: null, customerName: 'Stadtwerke' })).toBe('Stadtwerke');
    expect(askedFor({ customerNo: '4711', customerName: null })).toBe('4711');
    expect(askedFor({ customerNo: null, customerName: null })).toBeNull();
  });

  it('tells matched, unmatched and no number apart', () => {
    expect(numberMatch({ customerNo: '4711', matches: { byNumber: stadtwerke, byName: [] } })).toEqual({ kind: 'matched', customer: stadtwerke });
    expect(numberMatch({ customerNo: 'K-0815', matches: { byNumber: null, byName: [wohnbau] } })).toEqual({ kind: 'unmatched' });
    expect(numberMatch({ customerNo: null, matches: { byNumber: null, byName: [wohnbau] } })).toEqual({ kind: 'noNumber' });
  });
});

describe('waiting time', () => {
  const created = '2026-11-28T09:00:00.000Z';
  const at = (iso: string) => new Date(iso);
  it('is whole minutes, then hours, then days', () => {
    expect(waitedFor(created, at('2026-11-28T09:00:59.000Z'))).toBeNull();
    expect(waitedFor(created, at('2026-11-28T09:01:00.000Z'))).toEqual({ unit: 'minute', count: 1 });
    expect(waitedFor(created, at('2026-11-28T09:59:59.000Z'))).toEqual({ unit: 'minute', count: 59 });
    expect(waitedFor(created, at('2026-11-28T10:00:00.000Z'))).toEqual({ unit: 'hour', count: 1 });
    expect(waitedFor(created, at('2026-11-29T08:59:00.000Z'))).toEqual({ unit: 'hour', count: 23 });
    expect(waitedFor(created, at('2026-11-29T09:00:00.000Z'))).toEqual({ unit: 'day', count: 1 });
    expect(waitedFor(created, at('2026-11-30T12:00:00.000Z'))).toEqual({ unit: 'day', count: 2 });
  });
  it('is null for a clock behind the server or a date it cannot read', () => {
    expect(waitedFor(created, at('2026-11-28T08:00:00.000Z'))).toBeNull();
    expect(waitedFor('gestern', at('2026-11-28T08:00:00.000Z'))).toBeNull();
  });
});

describe('choosing accounts on approval', () => {
  const matches: QueuedRequest['matches'] = { byNumber: stadtwerke, byName: [stadtwerke, wohnbau] };
  it('offers the number’s match first, then the name’s, then those found, each once', () => {
    const found = { id: 'cus_9', customerNo: '9000', name: 'Gemeindewerke' };
    const candidates = approvalCandidates(matches, [wohnbau, found]);
    expect(candidates.map((c) => [c.customer.id, c.source])).toEqual([
      ['cus_1', 'number'],
      ['cus_2', 'name'],
      ['cus_9', 'search'],
    ]);
    expect(initialSelection(matches)).toEqual(['cus_1']);
    expect(initialSelection({ byNumber: null, byName: [wohnbau] })).toEqual([]);
    expect(orderedSelection(candidates, new Set(['cus_9', 'cus_1']))).toEqual(['cus_1', 'cus_9']);
    expect(orderedSelection(candidates, new Set(['cus_unknown']))).toEqual([]);
  });
});

describe('a direct link', () => {
  it('needs an e-mail address and a chosen account', () => {
    expect(linkProblems({ email: ' haendler@example.com ', customerId: 'cus_1' })).toEqual({});
    expect(linkProblems({ email: '', customerId: null })).toEqual({ email: 'emailRequired', customer: 'customerRequired' });
    expect(linkProblems({ email: 'haendler', customerId: 'cus_1' })).toEqual({ email: 'emailInvalid' });
  });
  it('says at the field why the server refused', () => {
    expect(serverLinkProblems(validation([{ field: 'email', reason: 'no such user' }]))).toEqual({ email: 'emailUnknown' });
    expect(serverLinkProblems(validation([{ field: 'email', reason: 'is an operator' }]))).toEqual({ email: 'emailOperator' });
    expect(serverLinkProblems(validation([{ field: 'customerId', reason: 'no such customer account' }]))).toEqual({ customer: 'customerUnknown' });
    expect(serverLinkProblems(new ApiError({ status: 409, code: 'superuser_link_exists', message: 'x' }))).toEqual({});
  });
});
