// Database errors told apart by the drivers' codes, never by message text (docs/style.md).
// better-sqlite3 sets `code` to SQLITE_CONSTRAINT_*; pg sets the SQLSTATE in `code`.

function codeOf(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

export function isUniqueViolation(err: unknown): boolean {
  const code = codeOf(err);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function isForeignKeyViolation(err: unknown): boolean {
  const code = codeOf(err);
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/** The database could not be reached or dropped the connection (not a fault of the query). */
export function isConnectionError(err: unknown): boolean {
  const code = codeOf(err);
  if (code === undefined) return false;
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', '57P01', '57P02', '57P03'].includes(code) ||
    code.startsWith('08') ||
    code === 'SQLITE_BUSY' ||
    code === 'SQLITE_CANTOPEN'
  );
}
