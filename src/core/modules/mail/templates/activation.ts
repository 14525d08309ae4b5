import { formatInstant, type Instant, link, paragraph } from '../mail-render.js';
import { defineMailTemplate } from './define.js';

/** Registration (flow 1): the single-use link that activates a new account (SEC-16). */
export const activation = defineMailTemplate<{ link: string; expiresAt: Instant }>({
  de: (data) => ({
    subject: 'openeks: Aktivieren Sie Ihr Benutzerkonto',
    greeting: 'Guten Tag,',
    blocks: [
      paragraph('Sie haben ein Benutzerkonto bei openeks eingerichtet. Folgen Sie dem Link, um das Konto zu aktivieren: Sie geben dort Ihren Namen ein und wählen ein persönliches Passwort.'),
      link('Registrierung abschließen', data.link),
      paragraph(`Der Link funktioniert nur einmal und ist gültig bis ${formatInstant(data.expiresAt, 'de')}. Fordern Sie einen neuen an, wird dieser ungültig.`),
      paragraph('Wenn Sie sich nicht registriert haben, können Sie diese E-Mail ignorieren; ohne Aktivierung entsteht kein Konto.'),
    ],
    signature: 'openeks',
  }),
  en: (data) => ({
    subject: 'openeks: activate your user account',
    greeting: 'Hello,',
    blocks: [
      paragraph('You set up a user account with openeks. Follow the link to activate it: you will enter your name and choose a personal password.'),
      link('Complete registration', data.link),
      paragraph(`The link works once, until ${formatInstant(data.expiresAt, 'en')}. Asking for a new one makes this one invalid.`),
      paragraph('If you did not register, you can ignore this e-mail; without activation no account comes into being.'),
    ],
    signature: 'openeks',
  }),
});
