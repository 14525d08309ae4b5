import { inspect } from 'node:util';

// A value that must never be printed: the master key of `env:`, the PIN of `pin=env:NAME`, the
// SMTP URL with its password. The value sits in a private field, so JSON.stringify (and with it
// pino), util.inspect, String() and template literals all see `[redacted]`; only the code that
// needs the value calls reveal(), in the composition root, at the moment it hands it on
// (docs/security.md SEC-08).

const REDACTED = '[redacted]';

export class Secret<T> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  reveal(): T {
    return this.#value;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `Secret(${REDACTED})`;
  }
}
