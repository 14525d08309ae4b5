import { formatInstant, type Instant, link, paragraph } from '../mail-render.js';
import { defineMailTemplate } from './define.js';

/** Forgot password, or an operator sent the link (SEC-23: operators never set a password). */
export const passwordReset = defineMailTemplate<{ link: string; expiresAt: Instant; byOperator: boolean }>({
  de: (data) => ({
    subject: 'openeks: Neues Passwort festlegen',
    greeting: 'Guten Tag,',
    blocks: [
      paragraph(
        data.byOperator
          ? 'Ein Betreiber von openeks hat Ihnen diesen Link geschickt, damit Sie ein neues Passwort für Ihr Konto festlegen können.'
          : 'Sie haben ein neues Passwort für Ihr openeks-Konto angefordert. Über den folgenden Link legen Sie es fest.',
      ),
      link('Neues Passwort festlegen', data.link),
      paragraph(`Der Link funktioniert nur einmal und ist gültig bis ${formatInstant(data.expiresAt, 'de')}. Danach werden alle Ihre Sitzungen beendet, und Sie melden sich mit dem neuen Passwort an.`),
      paragraph('Wenn Sie das nicht angefordert haben, können Sie diese E-Mail ignorieren; Ihr bisheriges Passwort bleibt gültig.'),
    ],
    signature: 'openeks',
  }),
  en: (data) => ({
    subject: 'openeks: set a new password',
    greeting: 'Hello,',
    blocks: [
      paragraph(
        data.byOperator
          ? 'An operator of openeks sent you this link so that you can set a new password for your account.'
          : 'You asked for a new password for your openeks account. Set it with the following link.',
      ),
      link('Set a new password', data.link),
      paragraph(`The link works once, until ${formatInstant(data.expiresAt, 'en')}. Afterwards all your sessions end, and you sign in with the new password.`),
      paragraph('If you did not ask for this, you can ignore this e-mail; your current password stays valid.'),
    ],
    signature: 'openeks',
  }),
});
