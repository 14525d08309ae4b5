import { link, paragraph } from '../mail-render.js';
import { defineMailTemplate } from './define.js';

export interface NewAccessRequest {
  requester: string;
  customerNo: string | null;
  customerName: string | null;
  relation: 'dealer' | 'customer-admin';
}

const asked = (r: NewAccessRequest, unnamed: string) => [r.customerNo, r.customerName].filter((v) => v !== null).join(' · ') || unnamed;

/**
 * To every operator: new superuser requests are waiting. One mail for one request, a digest when
 * several arrived together (docs/superusers.md).
 */
export const accessRequestsNew = defineMailTemplate<{ requests: NewAccessRequest[]; link: string }>({
  de: (data) => ({
    subject: data.requests.length === 1 ? `openeks: neue Superuser-Anfrage von ${data.requests[0]?.requester ?? ''}` : `openeks: ${data.requests.length} neue Superuser-Anfragen`,
    greeting: 'Guten Tag,',
    blocks: [
      paragraph(data.requests.length === 1 ? 'eine neue Anfrage auf Superuser-Zugang wartet auf Ihre Entscheidung:' : `${data.requests.length} neue Anfragen auf Superuser-Zugang warten auf Ihre Entscheidung:`),
      ...data.requests.map((r) => paragraph(`${r.requester} (${r.relation === 'dealer' ? 'Händler' : 'Administrator des Kunden'}) für ${asked(r, 'ohne Angabe')}`)),
      link('Anfragen ansehen', data.link),
    ],
    signature: 'openeks',
  }),
  en: (data) => ({
    subject: data.requests.length === 1 ? `openeks: new superuser request from ${data.requests[0]?.requester ?? ''}` : `openeks: ${data.requests.length} new superuser requests`,
    greeting: 'Hello,',
    blocks: [
      paragraph(data.requests.length === 1 ? 'a new request for superuser access is waiting for your decision:' : `${data.requests.length} new requests for superuser access are waiting for your decision:`),
      ...data.requests.map((r) => paragraph(`${r.requester} (${r.relation === 'dealer' ? 'dealer' : "the customer's own administrator"}) for ${asked(r, 'no customer given')}`)),
      link('Review requests', data.link),
    ],
    signature: 'openeks',
  }),
});
