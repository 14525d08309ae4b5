import { link, paragraph } from '../mail-render.js';
import { defineMailTemplate } from './define.js';

/**
 * Someone asked to register an address that already has an account. The answer on the page is
 * the same as for a new address (SEC-18); only the owner of the mailbox learns the difference.
 * No token: the links lead to sign-in and to the forgot-password page.
 */
export const alreadyRegistered = defineMailTemplate<{ signInLink: string; resetLink: string }>({
  de: (data) => ({
    subject: 'openeks: Sie haben bereits ein Benutzerkonto',
    greeting: 'Guten Tag,',
    blocks: [
      paragraph('Jemand – vermutlich Sie – wollte mit dieser E-Mail-Adresse ein neues Benutzerkonto bei openeks einrichten. Für diese Adresse gibt es aber bereits ein Konto.'),
      link('Anmelden', data.signInLink),
      paragraph('Wenn Sie Ihr Passwort nicht mehr wissen, können Sie hier ein neues festlegen:'),
      link('Passwort vergessen?', data.resetLink),
      paragraph('Wenn Sie das nicht waren, können Sie diese E-Mail ignorieren; an Ihrem Konto hat sich nichts geändert.'),
    ],
    signature: 'openeks',
  }),
  en: (data) => ({
    subject: 'openeks: you already have a user account',
    greeting: 'Hello,',
    blocks: [
      paragraph('Someone – probably you – tried to set up a new user account with openeks for this e-mail address. This address already has an account.'),
      link('Sign in', data.signInLink),
      paragraph('If you no longer know your password, you can set a new one here:'),
      link('Forgot password?', data.resetLink),
      paragraph('If this was not you, you can ignore this e-mail; nothing about your account has changed.'),
    ],
    signature: 'openeks',
  }),
});
