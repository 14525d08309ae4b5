// Language: an explicit choice (kept in localStorage) wins, then the browser's languages, then
// English. Only a choice made with the switcher is stored, so a browser set to German keeps
// following the browser until the user picks a language.
import i18next, { type i18n as I18n } from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';
import { de } from './de.js';
import { en } from './en.js';

export const languages = ['de', 'en'] as const;
export type Language = (typeof languages)[number];

const storageKey = 'openeks.language';

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (languages as readonly string[]).includes(value);
}

export async function initI18n(): Promise<I18n> {
  const instance = i18next.createInstance();
  instance.use(LanguageDetector).use(initReactI18next);
  instance.on('languageChanged', (lng) => {
    document.documentElement.lang = lng;
  });
  await instance.init({
    resources: { de: { translation: de }, en: { translation: en } },
    supportedLngs: [...languages],
    nonExplicitSupportedLngs: true,
    load: 'languageOnly',
    fallbackLng: 'en',
    detection: {
      order: ['localStorage', 'navigator'],
      lookupLocalStorage: storageKey,
      caches: [],
      convertDetectedLanguage: (lng: string) => lng.toLowerCase().split('-')[0] ?? lng,
    },
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
    showSupportNotice: false,
  });
  document.documentElement.lang = currentLanguage(instance);
  return instance;
}

export function currentLanguage(instance: I18n): Language {
  const lng = instance.resolvedLanguage;
  return isLanguage(lng) ? lng : 'en';
}

/** Switches language and remembers the choice for the next visit. */
export async function chooseLanguage(instance: I18n, language: Language): Promise<void> {
  try {
    localStorage.setItem(storageKey, language);
  } catch {
    // Storage may be disabled (private mode, policy); the choice then lasts for this page only.
  }
  await instance.changeLanguage(language);
}
