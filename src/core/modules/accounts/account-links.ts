import type { Clock } from '../../../lib/clock.js';
import { hashToken, newToken } from '../../../lib/crypto/tokens.js';
import { newId } from '../../../lib/ids.js';
import type { Executor } from '../../db/database.js';
import type { TokensRepo } from '../auth/tokens-repo.js';

export type AccountLinkPurpose = 'activation' | 'password-reset' | 'invitation';

/** SEC-16: activation links live 24 hours; reset links one hour; invitations (docs/grants.md) 7 days. */
export const linkLifetimeMs: Record<AccountLinkPurpose, number> = {
  activation: 24 * 3600_000,
  'password-reset': 3600_000,
  invitation: 7 * 24 * 3600_000,
};

// The page each link opens. The token travels in the fragment, so it never reaches a server log
// or a Referer; the page reads it once and removes it from the address bar.
const linkPaths: Record<AccountLinkPurpose, string> = {
  activation: '/register/complete',
  'password-reset': '/password/reset',
  // An invitee completes a registration whose e-mail is fixed by the invitation.
  invitation: '/register/complete',
};

export interface AccountLink {
  link: string;
  expiresAt: string;
}

/**
 * One-time links of account self-service. A new link invalidates the older ones of the same
 * purpose and user; a link is found only for its own purpose, so an activation link handed to
 * the reset endpoint is as dead as a used one.
 */
export function createAccountLinks(deps: { tokens: TokensRepo; clock: Clock; publicUrl: URL }) {
  return {
    async issue(userId: string, purpose: AccountLinkPurpose, trx: Executor): Promise<AccountLink> {
      const now = deps.clock.now();
      const expiresAt = new Date(now.getTime() + linkLifetimeMs[purpose]).toISOString();
      const { token, hash } = newToken();
      await deps.tokens.invalidate(purpose, userId, now.toISOString(), trx);
      await deps.tokens.insert({ id: newId('tok'), userId, purpose, tokenHash: hash, expiresAt, createdAt: now.toISOString() }, trx);
      return { link: new URL(`${linkPaths[purpose]}#token=${token}`, deps.publicUrl).toString(), expiresAt };
    },

    /** The unused, unexpired token row of this purpose, or undefined. */
    find(purpose: AccountLinkPurpose, token: string) {
      return deps.tokens.findUsable([purpose], hashToken(token), deps.clock.now().toISOString());
    },

    /** The token row of this hash whatever its state (to tell a withdrawn invitation from a dead link). */
    findAnyState(token: string) {
      return deps.tokens.findByHash(hashToken(token));
    },

    /** Ends every unused link of this purpose and user (a withdrawn invitation). */
    invalidate(userId: string, purpose: AccountLinkPurpose, now: string, trx: Executor): Promise<void> {
      return deps.tokens.invalidate(purpose, userId, now, trx);
    },

    /** Marks the link used; false when another request used it first (or it expired meanwhile). */
    consume(id: string, now: string, trx: Executor): Promise<boolean> {
      return deps.tokens.consume(id, now, trx);
    },

    /** A page of the service (sign-in, forgot password) as an absolute link for a mail. */
    page(path: string): string {
      return new URL(path, deps.publicUrl).toString();
    },
  };
}

export type AccountLinks = ReturnType<typeof createAccountLinks>;
