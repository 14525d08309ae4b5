import { Type } from '@sinclair/typebox';

// What the web UI reads or sends is in src/shared/api/auth.ts (one definition for both sides);
// the rest here is the server's own. Bounded inputs (docs/style.md 8); these schemas are also the
// OpenAPI document.
export {
  Email, Name, Password, SessionListView, SessionStage, SessionSummaryView, SessionView, SetupCompleteBody, SetupInspectBody, SetupInspectView, SignInBody, Token, UserView,
} from '../../../shared/api/auth.js';

export const SessionIdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });
export const UserIdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });
export const DisableView = Type.Object({ sessionsEnded: Type.Integer() });
