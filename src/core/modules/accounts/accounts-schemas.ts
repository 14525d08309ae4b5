import { Type } from '@sinclair/typebox';

// What the web UI reads or sends is in src/shared/api/accounts.ts (one definition for both
// sides); the rest here is the server's own. These schemas are also the OpenAPI document.
export {
  Language, LinkBody, LinkView, NewPassword, PasswordChangeBody, PasswordResetCompleteBody, PasswordResetRequestBody, PersonName, ProfileUpdateBody, ProfileView,
  RegistrationBody, RegistrationCompleteBody, ResetLinkView,
} from '../../../shared/api/accounts.js';

/** The one answer to every registration and reset request, whatever the e-mail (SEC-18). */
export const AcceptedView = Type.Object({ status: Type.Literal('accepted') });
export const UserIdParams = Type.Object({ id: Type.String({ pattern: '^usr_[A-Za-z0-9_-]{1,40}$' }) });
