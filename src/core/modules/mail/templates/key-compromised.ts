import { link, paragraph } from '../mail-render.js';
import { defineMailTemplate } from './define.js';

/**
 * To every reader of a device whose key version was marked compromised (SEC-09): the key may be
 * known to others, the device's telegrams are no longer confidential until it gets a new key.
 */
export const keyCompromised = defineMailTemplate<{ device: string; keyType: string; version: number; link: string }>({
  de: (data) => ({
    subject: `openeks: Schlüssel von ${data.device} kompromittiert`,
    greeting: 'Guten Tag,',
    blocks: [
      paragraph(`Die Version ${data.version} des ${data.keyType}-Schlüssels des Geräts ${data.device}, für das Sie Leserechte haben, wurde als kompromittiert markiert. Telegramme dieses Geräts sind möglicherweise nicht mehr vertraulich.`),
      link('Gerät ansehen', data.link),
    ],
    signature: 'openeks',
  }),
  en: (data) => ({
    subject: `openeks: key of ${data.device} compromised`,
    greeting: 'Hello,',
    blocks: [
      paragraph(`Version ${data.version} of the ${data.keyType} key of device ${data.device}, which you may read, was marked compromised. This device's telegrams may no longer be confidential.`),
      link('View device', data.link),
    ],
    signature: 'openeks',
  }),
});
