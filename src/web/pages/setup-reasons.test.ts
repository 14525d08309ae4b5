import i18next from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { de } from '../i18n/de.js';
import { en } from '../i18n/en.js';
import { reasonText } from './setup-reasons.js';

describe('password rule reasons', () => {
  const i18n = i18next.createInstance();
  beforeAll(async () => {
    await i18n.init({ lng: 'de', resources: { de: { translation: de }, en: { translation: en } }, showSupportNotice: false });
  });

  it('translates the server reasons it knows', () => {
    expect(reasonText(i18n.t, { field: 'password', reason: 'at least 12 characters' })).toBe('Es braucht mindestens 12 Zeichen.');
    expect(reasonText(i18n.t, { field: 'password', reason: 'must not contain the e-mail address' })).toBe('Es darf Ihre E-Mail-Adresse nicht enthalten.');
  });

  it('shows an unknown reason as the server wrote it', () => {
    expect(reasonText(i18n.t, { field: 'password', reason: 'is on the blocklist' })).toBe('is on the blocklist');
  });
});
