import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * The 10 recovery codes, shown this once: a download (a data: URL, no server round trip), a
 * print, and a checkbox the user ticks before the page lets them go on.
 */
export function RecoveryCodes({ codes, email, onContinue }: { codes: string[]; email: string; onContinue: () => void }) {
  const { t } = useTranslation();
  const [saved, setSaved] = useState(false);
  const listLabel = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  // The page changed under the user's hands: start reading here.
  useEffect(() => heading.current?.focus(), []);
  const file = [t('mfaSetup.fileHeader', { email }), '', ...codes, ''].join('\n');
  const href = `data:text/plain;charset=utf-8,${encodeURIComponent(file)}`;

  return (
    <div className="recovery">
      <h2 ref={heading} tabIndex={-1}>
        {t('mfaSetup.codesTitle')}
      </h2>
      <p>{t('mfaSetup.codesIntro')}</p>
      <div role="alert" className="alert alert-info">
        <p>{t('mfaSetup.codesWarning')}</p>
      </div>
      <p id={listLabel} className="visually-hidden">
        {t('mfaSetup.codesCaption')}
      </p>
      <ol className="recovery-codes" aria-labelledby={listLabel}>
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div className="button-row no-print">
        <a className="button button-secondary" href={href} download="openeks-recovery-codes.txt">
          {t('mfaSetup.download')}
        </a>
        <button type="button" className="button button-secondary" onClick={() => window.print()}>
          {t('mfaSetup.print')}
        </button>
      </div>
      <div className="checkbox-field no-print">
        <input id="recovery-codes-saved" type="checkbox" checked={saved} onChange={(event) => setSaved(event.target.checked)} />
        <label htmlFor="recovery-codes-saved">{t('mfaSetup.saved')}</label>
      </div>
      <button type="button" className="button button-primary no-print" disabled={!saved} onClick={onContinue}>
        {t('mfaSetup.continue')}
      </button>
    </div>
  );
}
