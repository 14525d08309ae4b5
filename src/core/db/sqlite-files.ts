import { chmodSync, closeSync, constants, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

// The SQLite files hold password hashes, sessions, the audit trail and customers' data: only the
// service's own user reads them (docs/security.md SEC-08). Folders this creates are 0700 and the
// database file 0600; SQLite gives its -wal and -shm files the database file's mode.
//
// An existing folder is left as it is: it may be shared (the working directory, /var/lib), so
// only a warning says when others can list it. Existing database files are ours alone: one that
// group or others may read is set to 0600, with a warning naming it.

const companions = ['', '-wal', '-shm', '-journal'];

function modeText(mode: number): string {
  return (mode & 0o777).toString(8).padStart(4, '0');
}

/** Makes the folder and an empty database file with private modes before SQLite opens it. */
export function prepareSqliteFiles(path: string, warn: (message: string) => void): void {
  const folder = dirname(path);
  if (existsSync(folder)) {
    const mode = statSync(folder).mode;
    if ((mode & 0o077) !== 0) warn(`data folder ${folder} has mode ${modeText(mode)}: others can list it (chmod 700 if nothing else needs it)`);
  } else {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
  }
  // O_CREAT without O_TRUNC: a new file gets 0600; an existing one is untouched here.
  closeSync(openSync(path, constants.O_RDWR | constants.O_CREAT, 0o600));
  for (const suffix of companions) {
    const file = `${path}${suffix}`;
    if (!existsSync(file)) continue;
    const mode = statSync(file).mode;
    if ((mode & 0o077) === 0) continue;
    chmodSync(file, mode & 0o700);
    warn(`database file ${file} had mode ${modeText(mode)}; set to ${modeText(mode & 0o700)} (nobody but this service's user may read it)`);
  }
}
