import { formatInstant, type Instant, paragraph } from '../mail-render.js';
import { defineMailTemplate } from './define.js';

/** SEC-23: after a password is set or changed, the owner of the address hears of it. */
export const passwordChanged = defineMailTemplate<{ when: Instant }>({
  de: (data) => ({
    subject: 'openeks: Ihr Passwort wurde geändert',
    greeting: 'Guten Tag,',
    blocks: [
      paragraph(`Das Passwort Ihres openeks-Kontos wurde am ${formatInstant(data.when, 'de')} festgelegt oder geändert.`),
      paragraph('Wenn Sie das nicht waren, wenden Sie sich bitte sofort an einen Betreiber von openeks.'),
    ],
    signature: 'openeks',
  }),
  en: (data) => ({
    subject: 'openeks: your password was changed',
    greeting: 'Hello,',
    blocks: [
      paragraph(`The password of your openeks account was set or changed on ${formatInstant(data.when, 'en')}.`),
      paragraph('If this was not you, please contact an operator of openeks at once.'),
    ],
    signature: 'openeks',
  }),
});
