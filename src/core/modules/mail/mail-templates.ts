import { type MailLanguage, type RenderedMail, renderContent } from './mail-render.js';
import type { MailTemplate } from './templates/define.js';
import { activation } from './templates/activation.js';
import { alreadyRegistered } from './templates/already-registered.js';
import { operatorSetup } from './templates/operator-setup.js';
import { passwordChanged } from './templates/password-changed.js';
import { passwordReset } from './templates/password-reset.js';
import { twoFactorChanged } from './templates/two-factor-changed.js';
import { accessRequestDecided } from './templates/access-request-decided.js';
import { accessRequestsNew } from './templates/access-requests-new.js';
import { invitation } from './templates/invitation.js';
import { keyCompromised } from './templates/key-compromised.js';
import { readAccessGranted } from './templates/read-access-granted.js';
import { readAccessRevoked } from './templates/read-access-revoked.js';
import { apiTokenCreated } from './templates/api-token-created.js';

// The closed set of mails openeks sends. A new mail is one file in templates/ and one entry
// here; its name and data type follow from the entry.
const definitions = {
  'operator-setup': operatorSetup,
  'password-changed': passwordChanged,
  activation,
  'already-registered': alreadyRegistered,
  'password-reset': passwordReset,
  'two-factor-changed': twoFactorChanged,
  'access-requests-new': accessRequestsNew,
  'access-request-decided': accessRequestDecided,
  'read-access-granted': readAccessGranted,
  invitation,
  'read-access-revoked': readAccessRevoked,
  'key-compromised': keyCompromised,
  'api-token-created': apiTokenCreated,
} as const;

export type MailTemplateName = keyof typeof definitions;

export type MailTemplateData = {
  [Name in MailTemplateName]: (typeof definitions)[Name] extends MailTemplate<infer Data> ? Data : never;
};

// The same object, typed so that a template looked up by a generic name keeps its data type.
const mailTemplates: { readonly [Name in MailTemplateName]: MailTemplate<MailTemplateData[Name]> } = definitions;

export const mailTemplateNames = Object.keys(definitions) as MailTemplateName[];

// The mails that carry a one-time link (a token in the URL's fragment). Nobody but the recipient
// may read such a link (SEC-10, SEC-23): the outbox says that a mail held one, never the link. The
// mail service refuses to queue a mail whose text holds a token link and whose template is not
// named here, so this list cannot fall behind the templates.
const oneTimeLinkTemplates: ReadonlySet<string> = new Set<MailTemplateName>(['operator-setup', 'activation', 'password-reset', 'invitation']);

export function carriesOneTimeLink(template: string): boolean {
  return oneTimeLinkTemplates.has(template);
}

export function renderMail<Name extends MailTemplateName>(template: Name, language: MailLanguage, data: MailTemplateData[Name]): RenderedMail {
  return renderContent(mailTemplates[template][language](data), language);
}
