import { useTranslation } from 'react-i18next';
import { chooseLanguage, currentLanguage, languages } from '../i18n/i18n.js';

/** Deutsch / English as two toggle buttons, each name in its own language. */
export function LanguageSwitcher() {
  const { t, i18n } = useTranslation();
  const active = currentLanguage(i18n);
  return (
    <div role="group" aria-label={t('language.label')} className="language-switcher">
      {languages.map((language) => (
        <button
          key={language}
          type="button"
          lang={language}
          className="language-button"
          aria-pressed={language === active}
          onClick={() => void chooseLanguage(i18n, language)}
        >
          {t(`language.${language}`)}
        </button>
      ))}
    </div>
  );
}
