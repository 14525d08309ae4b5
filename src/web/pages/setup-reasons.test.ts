import i18next from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PolicyRuleId } from '../../shared/password-policy/index.js';
import { de } from '../i18n/de.js';
import { en } from '../i18n/en.js';
import { reasonText } from './setup-reasons.js';

describe('password rule reasons', () => {
  const i18n = i18next.createInstance();
  beforeAll(async () => {
    await i18n.init({ lng: 'de', resources: { de: { translation: de }, en: { translation: en } }, showSupportNotice: false });
  });

  it('translates the rule ids the server names', () => {
    expect(reasonText(i18n.t, { field: 'password', reason: 'min-length' })).toBe('Es ist zu kurz.');
    expect(reasonText(i18n.t, { field: 'password', reason: 'max-length' })).toBe('Es ist zu lang: höchstens 128 Zeichen.');
    expect(reasonText(i18n.t, { field: 'password', reason: 'not-email' })).toBe('Es darf Ihre E-Mail-Adresse nicht enthalten.');
    expect(reasonText(i18n.getFixedT('en'), { field: 'password', reason: 'not-common' })).toBe('It is too common: it is on a list of often-used passwords or words.');
  });

  it('has a text for every rule in both languages', () => {
    const ids: PolicyRuleId[] = ['min-length', 'max-length', 'lowercase', 'uppercase', 'digit', 'special', 'not-name', 'not-email', 'not-common'];
    for (const language of ['de', 'en']) {
      const t = i18n.getFixedT(language);
      for (const id of ids) expect(reasonText(t, { field: 'password', reason: id })).not.toBe(id);
    }
  });

  it('shows an unknown reason as the server wrote it', () => {
    expect(reasonText(i18n.t, { field: 'password', reason: 'is on the breach list' })).toBe('is on the breach list');
  });
});
