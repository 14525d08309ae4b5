// The download dialog's pure parts (docs/downloads.md "In the browser"), unit-tested beside it:
// the KEM password counted in UTF-8 bytes as the server counts it, the file name out of
// Content-Disposition, the reasons why devices were left out, and the progress line.

import { exportFormatNames, type ExportFormatName } from '../../../shared/api/exports.js';

/** The formats in the order the dialog offers them. */
export const downloadFormats = exportFormatNames;
export type DownloadFormat = ExportFormatName;

/** KEM and KEM2 are encrypted with the password itself: 1–16 bytes of UTF-8 (docs/product.md "KEM"). */
export const KEM_PASSWORD_MAX_BYTES = 16;

export function needsPassword(format: DownloadFormat): boolean {
  return format === 'kem' || format === 'kem2';
}

/** Bytes, not characters: "Schlüssel" is 9 characters and 10 bytes. */
export function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

export type PasswordProblem = 'passwordRequired' | 'passwordTooLong' | null;

export function passwordProblem(password: string): PasswordProblem {
  const bytes = utf8Bytes(password);
  if (bytes === 0) return 'passwordRequired';
  return bytes > KEM_PASSWORD_MAX_BYTES ? 'passwordTooLong' : null;
}

/**
 * The file name the server gave in `Content-Disposition` (`filename*=UTF-8''…` wins over
 * `filename="…"`), reduced to a bare name; null when there is none.
 */
export function fileNameOf(disposition: string | null): string | null {
  if (disposition === null) return null;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition)?.[1];
  let name: string | null = null;
  if (extended !== undefined) {
    try {
      name = decodeURIComponent(extended.trim());
    } catch {
      name = null;
    }
  }
  if (name === null) {
    const quoted = /filename\s*=\s*"((?:[^"\\]|\\.)*)"/.exec(disposition)?.[1];
    const bare = /filename\s*=\s*([^";]+)/.exec(disposition)?.[1];
    name = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (bare?.trim() ?? null);
  }
  // Never a path: the browser would refuse it anyway, and the dialog shows the name.
  const base = name?.split(/[/\\]/).pop()?.trim() ?? '';
  return base === '' ? null : base;
}

/** Why devices stay behind, with their counts, biggest first; reasons of 0 are not listed. */
export function leftOutReasons(leftOut: Readonly<Record<string, number>>): { reason: string; count: number }[] {
  return Object.entries(leftOut)
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

export function leftOutTotal(leftOut: Readonly<Record<string, number>>): number {
  return Object.values(leftOut).reduce((sum, count) => sum + Math.max(0, count), 0);
}

/** The progress bar's value between 0 and 1 (rows written of the total), never beyond. */
export function progressFraction(written: number, total: number): number {
  if (total <= 0) return 0;
  return Math.min(1, Math.max(0, written / total));
}
