import { formatInstant, type Instant, link, paragraph } from '../mail-render.js';
import { defineMailTemplate } from './define.js';

const kindDe = { read: 'Lesen', gateway: 'Gateway', concentrator: 'Konzentrator' } as const;
const kindEn = { read: 'read', gateway: 'gateway', concentrator: 'concentrator' } as const;

/**
 * SEC-23 in spirit: a new API token reads keys in the user's name, so the owner of the address
 * hears of it (never the token itself), with the way to revoke it.
 */
export const apiTokenCreated = defineMailTemplate<{ when: Instant; name: string; kind: 'read' | 'gateway' | 'concentrator'; expiresAt: Instant; link: string }>({
  de: (data) => ({
    subject: `openeks: neuer API-Zugang „${data.name}“`,
    greeting: 'Guten Tag,',
    blocks: [
      paragraph(`Für Ihr openeks-Konto wurde am ${formatInstant(data.when, 'de')} der API-Zugang „${data.name}“ (Art: ${kindDe[data.kind]}) angelegt. Er gilt bis ${formatInstant(data.expiresAt, 'de')}.`),
      paragraph('Wenn Sie das nicht waren, widerrufen Sie ihn bitte sofort auf Ihrer Profilseite, ändern Sie Ihr Passwort und wenden Sie sich an einen Betreiber von openeks.'),
      link('Profilseite öffnen', data.link),
    ],
    signature: 'openeks',
  }),
  en: (data) => ({
    subject: `openeks: new API token "${data.name}"`,
    greeting: 'Hello,',
    blocks: [
      paragraph(`The API token "${data.name}" (kind: ${kindEn[data.kind]}) was created for your openeks account on ${formatInstant(data.when, 'en')}. It is valid until ${formatInstant(data.expiresAt, 'en')}.`),
      paragraph('If this was not you, please revoke it at once on your profile page, change your password and contact an operator of openeks.'),
      link('Open your profile page', data.link),
    ],
    signature: 'openeks',
  }),
});
