import { describe, expect, it } from 'vitest';
import { getQueuedRequest, listSuperuserLinks } from './access-api.js';
import type { ApiClient } from './client.js';

/** A client whose every GET answers `body`: the functions' own checks are what is tested. */
function answering(body: unknown): ApiClient {
  const unused = () => Promise.reject(new Error('not used here'));
  return { get: async () => body, post: unused, put: unused, patch: unused, delete: unused, upload: unused, download: unused, setCsrfToken: () => undefined, onUnauthenticated: () => () => undefined };
}

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

const refusal = (where: string) => ({ name: 'ApiError', status: 200, code: 'bad_response', message: expect.stringContaining(where) as unknown });

describe('superuser access answers', () => {
  it('reads a queued request as sent', async () => {
    await expect(getQueuedRequest(answering(request), 'arq_1')).resolves.toEqual(request);
    const decided = { ...request, status: 'approved', decidedBy: { id: 'usr_op', email: 'ops@example.com' }, matches: { byNumber: null, byName: [] } };
    await expect(getQueuedRequest(answering(decided), 'arq_1')).resolves.toEqual(decided);
  });

  it('refuses a status, relation or shape it does not know, naming where', async () => {
    await expect(getQueuedRequest(answering({ ...request, status: 'pending' }), 'arq_1')).rejects.toMatchObject(refusal('(queued request at /status:'));
    await expect(getQueuedRequest(answering({ ...request, relation: 'owner' }), 'arq_1')).rejects.toMatchObject(refusal('(queued request at /relation:'));
    await expect(getQueuedRequest(answering({ ...request, matches: { byNumber: null } }), 'arq_1')).rejects.toMatchObject(refusal('(queued request at /matches/byName:'));
    const noCount = { ...request, matches: { byNumber: { id: 'cus_1', customerNo: '4711', name: 'x' }, byName: [] } };
    await expect(getQueuedRequest(answering(noCount), 'arq_1')).rejects.toMatchObject(refusal('(queued request at /matches/byNumber/deviceCount:'));
  });

  it('reads a link with and without the operator and request behind it', async () => {
    const link = {
      user: { id: 'usr_1', email: 'haendler@example.com', name: 'Hanna Händler' },
      customer: { id: 'cus_1', customerNo: '4711', name: 'Stadtwerke Musterstadt' },
      linkedAt: '2026-11-28T09:00:00.000Z',
      linkedBy: { id: 'usr_op', email: 'ops@example.com' },
      requestId: 'arq_1',
    };
    const bare = { ...link, linkedBy: null, requestId: null };
    await expect(listSuperuserLinks(answering({ items: [link, bare], nextCursor: null }), { cursor: null })).resolves.toEqual({ items: [link, bare], nextCursor: null });
    await expect(listSuperuserLinks(answering({ items: [{ ...link, customer: null }], nextCursor: null }), { cursor: null })).rejects.toMatchObject(refusal('(superuser links at /items/0/customer:'));
  });
});
