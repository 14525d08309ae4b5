import { link, paragraph } from '../mail-render.js';
import { defineMailTemplate } from './define.js';

export interface AccessDecision {
  outcome: 'approved' | 'rejected';
  /** What the user asked for, as they wrote it. */
  asked: string;
  /** Approved: the customer accounts the user is now superuser of. */
  customers: Array<{ customerNo: string; name: string }>;
  /** Rejected: the operator's reason; approved: an optional note. */
  reason: string | null;
  link: string;
}

/** To the requester, in their language: the operator's decision on their superuser request. */
export const accessRequestDecided = defineMailTemplate<AccessDecision>({
  de: (data) => ({
    subject: data.outcome === 'approved' ? 'openeks: Ihr Superuser-Zugang wurde freigegeben' : 'openeks: Ihre Superuser-Anfrage wurde abgelehnt',
    greeting: 'Guten Tag,',
    blocks:
      data.outcome === 'approved'
        ? [
            paragraph(`Ihre Anfrage (${data.asked}) wurde genehmigt. Sie sind jetzt Superuser von: ${data.customers.map((c) => `${c.customerNo} ${c.name}`).join(', ')}.`),
            ...(data.reason ? [paragraph(`Hinweis: ${data.reason}`)] : []),
            paragraph('Bitte melden Sie sich erneut an. Superuser melden sich mit zweitem Faktor an: Falls er noch nicht eingerichtet ist, werden Sie bei der Anmeldung darum gebeten.'),
            link('Superuser-Zugang ansehen', data.link),
          ]
        : [
            paragraph(`Ihre Anfrage auf Superuser-Zugang (${data.asked}) wurde abgelehnt.`),
            paragraph(`Begründung: ${data.reason ?? ''}`),
            link('Anfrage ansehen', data.link),
          ],
    signature: 'openeks',
  }),
  en: (data) => ({
    subject: data.outcome === 'approved' ? 'openeks: your superuser access was approved' : 'openeks: your superuser request was rejected',
    greeting: 'Hello,',
    blocks:
      data.outcome === 'approved'
        ? [
            paragraph(`Your request (${data.asked}) was approved. You are now superuser of: ${data.customers.map((c) => `${c.customerNo} ${c.name}`).join(', ')}.`),
            ...(data.reason ? [paragraph(`Note: ${data.reason}`)] : []),
            paragraph('Please sign in again. Superusers sign in with a second factor: if yours is not set up yet, you will be asked to set it up when you sign in.'),
            link('View superuser access', data.link),
          ]
        : [
            paragraph(`Your request for superuser access (${data.asked}) was rejected.`),
            paragraph(`Reason: ${data.reason ?? ''}`),
            link('View request', data.link),
          ],
    signature: 'openeks',
  }),
});
