import { FormatRegistry, Kind } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import * as accessRequests from '../../shared/api/access-requests.js';
import * as accounts from '../../shared/api/accounts.js';
import * as auth from '../../shared/api/auth.js';
import * as customers from '../../shared/api/customers.js';
import * as devices from '../../shared/api/devices.js';
import * as imports from '../../shared/api/imports.js';
import * as keys from '../../shared/api/keys.js';
import * as mail from '../../shared/api/mail.js';
import * as mfa from '../../shared/api/mfa.js';
import * as settings from '../../shared/api/settings.js';
import * as superusers from '../../shared/api/superusers.js';
import * as telegramCheck from '../../shared/api/telegram-check.js';
import { ApiError } from './client.js';
import { checkResponse } from './response-check.js';

const customer = {
  id: 'cus_1',
  customerNo: '4711',
  name: 'Stadtwerke Musterstadt',
  contactEmail: null,
  notes: null,
  deviceCount: 3,
  createdAt: '2026-11-28T09:00:00.000Z',
  updatedAt: '2026-11-28T09:00:00.000Z',
};

function refusal(run: () => unknown): ApiError {
  try {
    run();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('the answer was accepted');
}

describe('checkResponse', () => {
  it('answers a valid response as it is, extra fields and all', () => {
    const body = { ...customer, extra: true };
    expect(checkResponse(customers.CustomerView, body, 'customer')).toBe(body);
  });

  it('refuses a field of the wrong type, naming the field', () => {
    const error = refusal(() => checkResponse(customers.CustomerView, { ...customer, deviceCount: '3' }, 'customer'));
    expect(error).toMatchObject({ status: 200, code: 'bad_response', details: [], message: 'The server sent an unexpected answer (customer at /deviceCount: Expected integer).' });
  });

  it('names a missing field, a wrong item of a list, and the root', () => {
    const { notes: _notes, ...noNotes } = customer;
    expect(refusal(() => checkResponse(customers.CustomerView, noNotes, 'customer')).message).toBe('The server sent an unexpected answer (customer at /notes: Expected required property).');
    const page = { items: [customer, { ...customer, name: 7 }], nextCursor: null };
    expect(refusal(() => checkResponse(customers.CustomerPageView, page, 'customers')).message).toBe('The server sent an unexpected answer (customers at /items/1/name: Expected string).');
    expect(refusal(() => checkResponse(customers.CustomerView, 'customer', 'customer')).message).toBe('The server sent an unexpected answer (customer at /: Expected object).');
  });

  it('names the field inside a nullable object, not just the object', () => {
    const request = {
      id: 'arq_1', customerNo: null, customerName: 'Stadtwerke', relation: 'dealer', comment: null, status: 'open', createdAt: '2026-11-28T09:00:00.000Z',
      decidedAt: null, decisionReason: null, linkedCustomers: [], requester: { id: 'usr_1', email: 'a@example.com', name: null }, decidedBy: null,
      matches: { byNumber: { id: 'cus_1', customerNo: '4711', name: 'x', deviceCount: null }, byName: [] },
    };
    expect(refusal(() => checkResponse(accessRequests.QueuedRequestView, request, 'queued request')).message).toMatch(/^The server sent an unexpected answer \(queued request at \/matches\/byNumber\/deviceCount: /);
  });

  it('checks the key state list and the date-time format the schemas use', () => {
    const key = { id: 'key_1', keyType: 'DEK', version: 1, state: 'active', length: 16, createdAt: '2026-11-28T09:00:00.000Z', stateChangedAt: null, stateReason: null };
    expect(checkResponse(keys.KeyVersionView, key, 'key version')).toBe(key);
    expect(refusal(() => checkResponse(keys.KeyVersionView, { ...key, state: 'lost' }, 'key version')).message).toMatch(/^The server sent an unexpected answer \(key version at \/state: /);

    const session = { id: 's1', device: null, ip: '127.0.0.1', createdAt: new Date().toISOString(), lastSeenAt: '2026-11-28T09:00:00Z', stage: 'complete', current: true };
    expect(checkResponse(auth.SessionSummaryView, session, 'session')).toBe(session);
    expect(refusal(() => checkResponse(auth.SessionSummaryView, { ...session, lastSeenAt: 'yesterday' }, 'session')).message).toMatch(/^The server sent an unexpected answer \(session at \/lastSeenAt: /);
  });

  it('knows every string format and kind the shared schemas use (TypeBox refuses unknown ones)', () => {
    const formats = new Set<string>();
    const kinds = new Set<string>();
    const walk = (value: unknown): void => {
      if (typeof value !== 'object' || value === null) return;
      if (Kind in value && typeof value[Kind] === 'string') kinds.add(value[Kind]);
      for (const [key, child] of Object.entries(value)) {
        if (key === 'format' && typeof child === 'string') formats.add(child);
        walk(child);
      }
    };
    const modules: Record<string, unknown>[] = [accessRequests, accounts, auth, customers, devices, imports, keys, mail, mfa, settings, superusers, telegramCheck];
    for (const module of modules) for (const value of Object.values(module)) walk(value);
    expect([...formats].sort()).toEqual(['date-time', 'email']);
    for (const format of formats) expect(FormatRegistry.Has(format), format).toBe(true);
    // No opaque Type.Unsafe (Check throws on a kind it does not know), no Type.Ref (Check cannot
    // follow it without the referenced schema; ErrorBody is referred to by the routes only).
    expect(kinds.has('Unsafe')).toBe(false);
    expect(kinds.has('Ref')).toBe(false);
    expect(kinds.has('StringEnum')).toBe(true);
  });
});
