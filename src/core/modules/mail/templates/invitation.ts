import { formatInstant, type Instant, link, paragraph } from '../mail-render.js';
import { defineMailTemplate } from './define.js';
import { devicesDe, devicesEn } from './read-access-granted.js';

/**
 * To an address without an account (flow 3): read rights wait for it behind a single-use link
 * (7 days) to the registration completion page, the address fixed. Never a password: the link is
 * the sign-in data.
 */
export const invitation = defineMailTemplate<{ devices: number; by: string; link: string; expiresAt: Instant }>({
  de: (data) => ({
    subject: `openeks: ${data.by} lädt Sie ein (Leserechte für ${devicesDe(data.devices)})`,
    greeting: 'Guten Tag,',
    blocks: [
      paragraph(`${data.by} hat Ihnen bei openeks Leserechte für ${devicesDe(data.devices)} zugeordnet: Sie können die Geräte und ihre Verschlüsselungsschlüssel abrufen.`),
      paragraph('Folgen Sie dem Link, um Ihr Benutzerkonto einzurichten: Sie geben Ihren Namen ein und wählen ein persönliches Passwort. Ein Passwort erhalten Sie nie per E-Mail.'),
      link('Einladung annehmen', data.link),
      paragraph(`Der Link funktioniert nur einmal und ist gültig bis ${formatInstant(data.expiresAt, 'de')}. Wenn Sie die Einladung nicht erwartet haben, können Sie diese E-Mail ignorieren.`),
    ],
    signature: 'openeks',
  }),
  en: (data) => ({
    subject: `openeks: ${data.by} invites you (read rights for ${devicesEn(data.devices)})`,
    greeting: 'Hello,',
    blocks: [
      paragraph(`${data.by} gave you read rights for ${devicesEn(data.devices)} in openeks: you can fetch the devices and their encryption keys.`),
      paragraph('Follow the link to set up your user account: you will enter your name and choose a personal password. A password never comes by e-mail.'),
      link('Accept invitation', data.link),
      paragraph(`The link works once, until ${formatInstant(data.expiresAt, 'en')}. If you did not expect this invitation, you can ignore this e-mail.`),
    ],
    signature: 'openeks',
  }),
});
