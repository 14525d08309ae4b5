// "Check telegram" (docs/product.md flow 6): does the stored key decrypt this wireless M-Bus telegram?
// The answer is announced (aria-live) and explained in plain words, the reversed-key mix-up above all.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context.js';
import { checkTelegram, type TelegramCheck } from '../../api/telegram-api.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { PageHeading } from '../../components/page-heading.js';
import { Link } from '../../router/router.js';
import { readingRows } from './reading-format.js';
import { telegramProblem } from './telegram-input.js';

export function TelegramCheckPage() {
  const { t } = useTranslation();
  const client = useApi();
  const [telegram, setTelegram] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [result, setResult] = useState<TelegramCheck | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found = telegramProblem(telegram);
    setProblem(found === null ? null : t(`telegram.${found}`));
    if (found !== null) {
      document.getElementById('telegram-hex')?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await checkTelegram(client, telegram.trim()));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel panel-medium">
      <PageHeading>{t('telegram.title')}</PageHeading>
      <p>{t('telegram.intro')}</p>
      <form className="form" noValidate onSubmit={(event) => void onSubmit(event)}>
        <div className="field">
          <label htmlFor="telegram-hex">{t('telegram.field')}</label>
          <div id="telegram-hex-hint" className="field-hint">
            {t('telegram.fieldHint')}
          </div>
          <textarea
            id="telegram-hex"
            className="input input-mono"
            rows={4}
            spellCheck={false}
            autoComplete="off"
            value={telegram}
            aria-invalid={problem !== null ? true : undefined}
            aria-describedby={['telegram-hex-hint', problem !== null ? 'telegram-hex-error' : null].filter(Boolean).join(' ')}
            onChange={(event) => setTelegram(event.currentTarget.value)}
          />
          {problem !== null && (
            <p id="telegram-hex-error" className="field-error">
              {problem}
            </p>
          )}
        </div>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? t('telegram.checking') : t('telegram.submit')}
        </button>
      </form>
      {error !== null && <ErrorAlert error={error} />}
      <div aria-live="polite" aria-atomic="true">
        {result !== null && <TelegramResult result={result} />}
      </div>
    </section>
  );
}

function TelegramResult({ result }: { result: TelegramCheck }) {
  const { t, i18n } = useTranslation();
  const good = result.outcome === 'decrypts';
  const neutral = result.outcome === 'not-encrypted';
  const tone = good ? 'ok' : neutral ? 'info' : 'bad';
  return (
    <section className={`result result-${tone}`} aria-labelledby="telegram-result-title" data-outcome={result.outcome}>
      <h2 id="telegram-result-title">{t('telegram.resultTitle')}</h2>
      <p className="result-headline">{t(`telegram.outcomes.${result.outcome}`)}</p>
      <p>{t(`telegram.explain.${result.outcome}`)}</p>
      {result.reason !== undefined && (
        <p>{result.offset !== undefined ? t('telegram.reasonAt', { reason: result.reason, offset: result.offset }) : t('telegram.reason', { reason: result.reason })}</p>
      )}
      {(result.address !== undefined || result.device !== undefined || result.keyVersion !== undefined) && (
        <dl className="meta">
          {result.address !== undefined && (
            <>
              <dt>{t('telegram.address')}</dt>
              <dd>
                {t('telegram.addressValue', {
                  manufacturer: result.address.manufacturer,
                  id: result.address.id,
                  version: hexByte(result.address.version),
                  deviceType: hexByte(result.address.deviceType),
                })}
              </dd>
            </>
          )}
          {result.device !== undefined && (
            <>
              <dt>{t('telegram.device')}</dt>
              <dd>
                <Link to={`/eks/devices/${encodeURIComponent(result.device.id)}`}>{[result.device.serial, result.device.model].filter(Boolean).join(' – ')}</Link>
              </dd>
            </>
          )}
          {result.keyVersion !== undefined && (
            <>
              <dt>{t('telegram.keyVersion')}</dt>
              <dd>{t('telegram.keyVersionValue', { keyType: 'DEK', version: result.keyVersion })}</dd>
            </>
          )}
          {result.reading !== undefined && result.reading.driver !== '' && (
            <>
              <dt>{t('telegram.driver')}</dt>
              <dd>
                <code>{result.reading.driver}</code>
              </dd>
            </>
          )}
        </dl>
      )}
      {result.reading !== undefined && (
        <>
          <h3>{t('telegram.valuesTitle')}</h3>
          {Object.keys(result.reading.fields).length === 0 ? (
            <p>{t('telegram.noValues')}</p>
          ) : (
            <dl className="meta reading">
              {readingRows(t, i18n.language, result.reading).map((row) => (
                <div key={row.name} className="meta-row">
                  <dt>
                    <span className="reading-label">{row.label}</span>{' '}
                    <code className="field-name" title={t('reading.rawName')}>
                      {row.name}
                    </code>
                  </dt>
                  <dd>{row.value}</dd>
                </div>
              ))}
            </dl>
          )}
        </>
      )}
    </section>
  );
}

const hexByte = (value: number) => `0x${value.toString(16).padStart(2, '0').toUpperCase()}`;
