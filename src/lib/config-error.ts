/**
 * A malformed configuration value. The message names the variable and why it is wrong, never
 * the value: that may be a secret (a master key given with the wrong prefix, an SMTP password).
 */
export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, reason: string) {
    super(`${variable}: ${reason}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}
