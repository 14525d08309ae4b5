import { formatInstant, type Instant, link, paragraph } from '../mail-render.js';
import { defineMailTemplate } from './define.js';

/** Sent by `openeks operator create`: a one-time link to set the new operator's password. */
export const operatorSetup = defineMailTemplate<{ link: string; expiresAt: Instant }>({
  de: (data) => ({
    subject: 'openeks: Passwort für Ihren Betreiberzugang festlegen',
    greeting: 'Guten Tag,',
    blocks: [
      paragraph('Sie wurden als Betreiber von openeks eingerichtet. Bitte legen Sie über den folgenden Link Ihr Passwort fest.'),
      link('Passwort festlegen', data.link),
      paragraph(`Der Link funktioniert nur einmal und ist gültig bis ${formatInstant(data.expiresAt, 'de')}.`),
      paragraph('Wenn Sie diese E-Mail nicht erwartet haben, können Sie sie ignorieren.'),
    ],
    signature: 'openeks',
  }),
  en: (data) => ({
    subject: 'openeks: set the password for your operator account',
    greeting: 'Hello,',
    blocks: [
      paragraph('You were made an operator of openeks. Please set your password with the following link.'),
      link('Set password', data.link),
      paragraph(`The link works once, until ${formatInstant(data.expiresAt, 'en')}.`),
      paragraph('If you did not expect this e-mail, you can ignore it.'),
    ],
    signature: 'openeks',
  }),
});
