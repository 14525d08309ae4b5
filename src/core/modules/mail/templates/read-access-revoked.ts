import { link, paragraph } from '../mail-render.js';
import { defineMailTemplate } from './define.js';
import { devicesDe, devicesEn, type ReadAccessChange } from './read-access-granted.js';

/** To a reader, in his language: read rights were removed (effective on his next request). */
export const readAccessRevoked = defineMailTemplate<ReadAccessChange>({
  de: (data) => ({
    subject: `openeks: Leserechte für ${devicesDe(data.devices)} entfernt`,
    greeting: 'Guten Tag,',
    blocks: [
      paragraph(`${data.by} hat Ihre Leserechte für ${devicesDe(data.devices)} entfernt. Diese Geräte und ihre Schlüssel sehen Sie nicht mehr.`),
      link('EKS öffnen', data.link),
    ],
    signature: 'openeks',
  }),
  en: (data) => ({
    subject: `openeks: read rights for ${devicesEn(data.devices)} removed`,
    greeting: 'Hello,',
    blocks: [
      paragraph(`${data.by} removed your read rights for ${devicesEn(data.devices)}. You no longer see these devices and their keys.`),
      link('Open EKS', data.link),
    ],
    signature: 'openeks',
  }),
});
