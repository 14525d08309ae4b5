import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/client.js';
import { assignProblem, emailProblem } from './grant-problems.js';

const refusal = (status: number, code: string, details: ApiError['details'] = []) => new ApiError({ status, code, message: 'refused', details });

describe('the assign dialog’s problems', () => {
  it('names a missing or malformed e-mail before anything is sent', () => {
    expect(emailProblem('  ')).toEqual({ at: 'email', key: 'emailRequired' });
    expect(emailProblem('kunde@example')).toEqual({ at: 'email', key: 'emailInvalid' });
    expect(emailProblem('kunde example.com')).toEqual({ at: 'email', key: 'emailInvalid' });
    expect(emailProblem(`${'a'.repeat(250)}@example.com`)).toEqual({ at: 'email', key: 'emailInvalid' });
    expect(emailProblem(' kunde@example.com ')).toBeNull();
  });

  it('puts the server’s e-mail refusals at the field, by their reason', () => {
    expect(assignProblem(refusal(400, 'validation_failed', [{ field: 'email', reason: 'self' }]))).toEqual({ at: 'email', key: 'emailSelf' });
    expect(assignProblem(refusal(400, 'validation_failed', [{ field: '/email', reason: 'operator' }]))).toEqual({ at: 'email', key: 'emailOperator' });
    expect(assignProblem(refusal(400, 'validation_failed', [{ field: 'email', reason: 'must match format "email"' }]))).toEqual({ at: 'email', key: 'emailInvalid' });
    expect(assignProblem(refusal(409, 'reader_disabled'))).toEqual({ at: 'email', code: 'reader_disabled' });
  });

  it('says an empty or changed selection with the new count', () => {
    expect(assignProblem(refusal(400, 'validation_failed', [{ field: 'selection', reason: 'no devices selected' }]))).toEqual({ at: 'selection', key: 'selectionEmpty' });
    expect(assignProblem(refusal(409, 'selection_changed', [{ field: 'selection.count', reason: '', count: 11 }]))).toEqual({ at: 'selection', changedTo: 11 });
  });

  it('leaves every other refusal to the error text (404 names no device)', () => {
    const notFound = refusal(404, 'not_found');
    expect(assignProblem(notFound)).toEqual({ at: 'form', error: notFound });
    const changedWithoutCount = refusal(409, 'selection_changed');
    expect(assignProblem(changedWithoutCount)).toEqual({ at: 'form', error: changedWithoutCount });
    expect(assignProblem(new Error('x'))).toMatchObject({ at: 'form' });
  });
});
