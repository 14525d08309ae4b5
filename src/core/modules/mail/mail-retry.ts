// When a mail that could not be sent is tried again. An SMTP outage delays mail, it does not lose
// it: about a day of attempts (1, 2, 4 … 32 minutes, then hourly; 30 attempts in all) before a
// mail is given up. Jitter keeps several instances from retrying a backlog in lockstep.

export const maxMailAttempts = 30;
const firstDelayMs = 60_000;
const maxDelayMs = 3_600_000;

/** Delay after the `failedAttempts`-th failed attempt (1 = the first), ±10 % jitter, at most an hour. */
export function retryDelayMs(failedAttempts: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(failedAttempts, 1) - 1, 16);
  const delay = firstDelayMs * 2 ** exponent * (0.9 + 0.2 * random());
  return Math.round(Math.min(delay, maxDelayMs));
}

/** When to try again, or null when the mail has had all its attempts. */
export function nextAttemptAt(failedAttempts: number, now: Date, random: () => number = Math.random): Date | null {
  if (failedAttempts >= maxMailAttempts) return null;
  return new Date(now.getTime() + retryDelayMs(failedAttempts, random));
}
