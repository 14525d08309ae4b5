import { describe, expect, it } from 'vitest';
import type { Import } from '../../api/imports-api.js';
import { progressView, unlistedProblems } from './import-progress.js';

const running: Import = {
  id: 'imp_1',
  fileName: 'kamstrup.kem',
  format: 'kem',
  status: 'running',
  newVersion: false,
  bytesTotal: 0,
  bytesDone: 0,
  rowsDone: 0,
  devicesCreated: 0,
  keysCreated: 0,
  errorCode: null,
  problems: [],
  problemCount: 0,
  createdAt: '2026-11-28T13:00:00.000Z',
  finishedAt: null,
};

describe('import progress', () => {
  it('shows the upload in bytes sent', () => {
    expect(progressView({ phase: 'uploading', sent: 300, total: 1200 })).toEqual({ value: 300, max: 1200, text: 'upload' });
    expect(progressView({ phase: 'uploading', sent: 0, total: 0 })).toEqual({ value: 0, max: 1, text: 'upload' });
  });

  it('then the bytes the server has read, indeterminate until it knows the size', () => {
    expect(progressView({ phase: 'importing', import: running })).toEqual({ value: null, max: 1, text: 'waiting' });
    expect(progressView({ phase: 'importing', import: { ...running, bytesTotal: null, bytesDone: null } })).toEqual({ value: null, max: 1, text: 'waiting' });
    expect(progressView({ phase: 'importing', import: { ...running, bytesTotal: 1207, bytesDone: 600 } })).toEqual({ value: 600, max: 1207, text: 'import' });
  });

  it('is full when the import succeeded', () => {
    expect(progressView({ phase: 'finished', import: { ...running, status: 'succeeded' } })).toEqual({ value: 1, max: 1, text: 'done' });
  });

  it('shows what was read when the import failed, and that it failed', () => {
    expect(progressView({ phase: 'finished', import: { ...running, status: 'failed', bytesTotal: 1207, bytesDone: 0 } })).toEqual({ value: 0, max: 1207, text: 'failed' });
    expect(progressView({ phase: 'finished', import: { ...running, status: 'failed', bytesTotal: 1207, bytesDone: 600 } })).toEqual({ value: 600, max: 1207, text: 'failed' });
    expect(progressView({ phase: 'finished', import: { ...running, status: 'failed', bytesTotal: 1207, bytesDone: 1207 } })).toEqual({ value: 1207, max: 1207, text: 'failed' });
    expect(progressView({ phase: 'finished', import: { ...running, status: 'failed', bytesTotal: null, bytesDone: null } })).toEqual({ value: 0, max: 1, text: 'failed' });
  });

  it('counts the problems beyond the listed ones', () => {
    expect(unlistedProblems({ problems: [{ row: 2, field: 'key', reason: 'x' }], problemCount: 1204 })).toBe(1203);
    expect(unlistedProblems({ problems: [], problemCount: 0 })).toBe(0);
  });
});
