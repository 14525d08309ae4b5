import { link, paragraph } from '../mail-render.js';
import { defineMailTemplate } from './define.js';

export interface ReadAccessChange {
  /** How many devices the assignment or revocation covered. */
  devices: number;
  /** Who granted or revoked: their name and e-mail, or "the operators" for the CLI. */
  by: string;
  /** The EKS page. */
  link: string;
}

const devicesDe = (n: number) => (n === 1 ? '1 Gerät' : `${n.toLocaleString('de-DE')} Geräte`);
const devicesEn = (n: number) => (n === 1 ? '1 device' : `${n.toLocaleString('en-GB')} devices`);
export { devicesDe, devicesEn };

/** To an existing account (flow 3), in its language: read rights were assigned to it. */
export const readAccessGranted = defineMailTemplate<ReadAccessChange>({
  de: (data) => ({
    subject: `openeks: Leserechte für ${devicesDe(data.devices)}`,
    greeting: 'Guten Tag,',
    blocks: [
      paragraph(`${data.by} hat Ihnen Leserechte für ${devicesDe(data.devices)} zugeordnet. Sie sehen die Geräte und ihre Schlüssel auf der EKS-Seite.`),
      link('EKS öffnen', data.link),
    ],
    signature: 'openeks',
  }),
  en: (data) => ({
    subject: `openeks: read rights for ${devicesEn(data.devices)}`,
    greeting: 'Hello,',
    blocks: [
      paragraph(`${data.by} gave you read rights for ${devicesEn(data.devices)}. You find the devices and their keys on the EKS page.`),
      link('Open EKS', data.link),
    ],
    signature: 'openeks',
  }),
});
