import { describe, expect, it } from 'vitest';
import { parseQueuedRequest, parseSuperuserLink } from './access-api.js';

const request = {
  id: 'arq_1',
  customerNo: '4711',
  customerName: null,
  relation: 'dealer',
  comment: 'seit 2020',
  status: 'open',
  createdAt: '2026-11-28T09:00:00.000Z',
  decidedAt: null,
  decisionReason: null,
  linkedCustomers: [],
  requester: { id: 'usr_1', email: 'haendler@example.com', name: null },
  decidedBy: null,
  matches: { byNumber: { id: 'cus_1', customerNo: '4711', name: 'Stadtwerke Musterstadt', deviceCount: 3 }, byName: [] },
};

describe('superuser access answers', () => {
  it('reads a queued request as sent', () => {
    expect(parseQueuedRequest(request)).toEqual(request);
    const decided = { ...request, status: 'approved', decidedBy: { id: 'usr_op', email: 'ops@example.com' }, matches: { byNumber: null, byName: [] } };
    expect(parseQueuedRequest(decided)).toEqual(decided);
  });

  it('refuses a status, relation or shape it does not know', () => {
    expect(() => parseQueuedRequest({ ...request, status: 'pending' })).toThrow(/status/);
    expect(() => parseQueuedRequest({ ...request, relation: 'owner' })).toThrow(/relation/);
    expect(() => parseQueuedRequest({ ...request, matches: { byNumber: null } })).toThrow(/matches by name/);
    expect(() => parseQueuedRequest({ ...request, matches: { byNumber: { id: 'cus_1', customerNo: '4711', name: 'x' }, byName: [] } })).toThrow(/device count/);
  });

  it('reads a link with and without the operator and request behind it', () => {
    const link = {
      user: { id: 'usr_1', email: 'haendler@example.com', name: 'Hanna Händler' },
      customer: { id: 'cus_1', customerNo: '4711', name: 'Stadtwerke Musterstadt' },
      linkedAt: '2026-11-28T09:00:00.000Z',
      linkedBy: { id: 'usr_op', email: 'ops@example.com' },
      requestId: 'arq_1',
    };
    expect(parseSuperuserLink(link)).toEqual(link);
    expect(parseSuperuserLink({ ...link, linkedBy: null, requestId: null })).toEqual({ ...link, linkedBy: null, requestId: null });
    expect(() => parseSuperuserLink({ ...link, customer: null })).toThrow(/customer account/);
  });
});
