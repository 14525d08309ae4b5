import type { PersonPrincipal } from '../access/principal.js';

const userView = (p: PersonPrincipal) => ({ id: p.userId, email: p.email, name: p.name, roles: p.roles, language: p.language });

/** What the session routes answer: the user is left out while the second factor is still due. */
export function sessionView(principal: PersonPrincipal, csrfToken: string) {
  return { ...(principal.stage === 'mfa' ? {} : { user: userView(principal) }), csrfToken, stage: principal.stage };
}
