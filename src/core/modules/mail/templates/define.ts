import type { MailContent, MailLanguage } from '../mail-render.js';

/** A template is its content in every language, from the same typed data. */
export type MailTemplate<Data> = { readonly [L in MailLanguage]: (data: Data) => MailContent };

export function defineMailTemplate<Data>(template: MailTemplate<Data>): MailTemplate<Data> {
  return template;
}
