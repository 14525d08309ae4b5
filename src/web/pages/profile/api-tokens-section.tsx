// "API-Zugänge" / "API tokens" on the profile page (docs/api-tokens.md): the user's tokens, a
// dialog to create one, the new token shown once with a copy button, and revoking with a
// confirmation. Its own component and data, so the other profile sections are untouched.
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { DEFAULT_TOKEN_DAYS, tokenKinds, type TokenKindName } from '../../../shared/api/tokens.js';
import { useApi } from '../../api/api-context.js';
import { createToken, listMyTokens, revokeMyToken, type ApiToken, type TokenCreateBody, type TokenCreated } from '../../api/tokens-api.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { formatDateTime } from '../../components/format.js';
import { TextField } from '../../components/text-field.js';
import { ProblemAlert } from '../problem-list.js';
import { useTokenRevoke } from './api-token-revoke.js';

/** The web UI offers at most a year (the API takes 366 for leap years). */
const MAX_DAYS_UI = 365;
const filterValue = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,31}$/;

type Loaded = { status: 'loading' } | { status: 'failed'; error: unknown } | { status: 'ready'; tokens: ApiToken[] };

export function ApiTokensSection() {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const headingId = useId();
  const [state, setState] = useState<Loaded>({ status: 'loading' });
  const [round, setRound] = useState(0);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<TokenCreated | null>(null);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  const revoke = useTokenRevoke<ApiToken>({ dialogId: 'api-token-revoke', revoke: (token) => revokeMyToken(client, token.id), reload });

  useEffect(() => {
    const controller = new AbortController();
    listMyTokens(client, { signal: controller.signal }).then(
      (tokens) => setState({ status: 'ready', tokens }),
      (err: unknown) => {
        if (!controller.signal.aborted) setState({ status: 'failed', error: err });
      },
    );
    return () => controller.abort();
  }, [client, round]);

  const language = i18n.language;
  return (
    <section className="profile-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('apiTokens.title')}</h2>
      <p>{t('apiTokens.intro')}</p>
      {created !== null && <CreatedToken created={created} onDone={() => setCreated(null)} />}
      {revoke.feedback}
      {state.status === 'loading' && <p role="status">{t('apiTokens.loading')}</p>}
      {state.status === 'failed' && <ErrorAlert error={state.error} />}
      {state.status === 'ready' && state.tokens.length === 0 && <p>{t('apiTokens.none')}</p>}
      {state.status === 'ready' && state.tokens.length > 0 && (
        <TokenTable tokens={state.tokens} language={language} caption={t('apiTokens.caption')} onRevoke={(token) => revoke.ask(token)} />
      )}
      <button
        type="button"
        className="button button-secondary"
        onClick={() => {
          revoke.clearNotice();
          setCreating(true);
        }}
      >
        {t('apiTokens.create')}
      </button>
      {creating && (
        <CreateTokenDialog
          onClose={() => setCreating(false)}
          onCreated={(result) => {
            setCreating(false);
            setCreated(result);
            reload();
          }}
        />
      )}
      {revoke.dialog}
    </section>
  );
}

/** A token's device filter in a few words ("Serials 6100*, customer 4711"). */
export function filterSummary(filter: ApiToken['deviceFilter'], allDevices: string): string {
  if (filter === null) return allDevices;
  return Object.entries(filter)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(', ');
}

/** The table of tokens; the operators' page adds the user's column. */
export function TokenTable({
  tokens,
  language,
  caption,
  onRevoke,
  userOf,
}: {
  tokens: ApiToken[];
  language: string;
  caption: string;
  onRevoke: (token: ApiToken) => void;
  userOf?: (token: ApiToken) => string;
}) {
  const { t } = useTranslation();
  return (
    <div className="table-scroll">
      <table className="table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('apiTokens.columns.name')}</th>
            {userOf !== undefined && <th scope="col">{t('tokensAdmin.user')}</th>}
            <th scope="col">{t('apiTokens.columns.kind')}</th>
            <th scope="col">{t('apiTokens.columns.filter')}</th>
            <th scope="col">{t('apiTokens.columns.created')}</th>
            <th scope="col">{t('apiTokens.columns.expires')}</th>
            <th scope="col">{t('apiTokens.columns.lastUse')}</th>
            <th scope="col">{t('apiTokens.columns.status')}</th>
            <th scope="col">
              <span className="visually-hidden">{t('apiTokens.columns.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((token) => (
            <tr key={token.id}>
              <th scope="row">{token.name}</th>
              {userOf !== undefined && <td>{userOf(token)}</td>}
              <td>{t(`apiTokens.kinds.${token.kind}`)}</td>
              <td>
                {filterSummary(token.deviceFilter, t('apiTokens.allDevices'))}
                {token.publicKeyFingerprint !== null && (
                  <>
                    <br />
                    <span className="field-hint">{t('apiTokens.publicKey', { fingerprint: token.publicKeyFingerprint.slice(0, 16) })}</span>
                  </>
                )}
              </td>
              <td className="nowrap">{formatDateTime(token.createdAt, language)}</td>
              <td className="nowrap">{formatDateTime(token.expiresAt, language)}</td>
              <td>{token.lastUsedAt === null ? t('apiTokens.neverUsed') : t('apiTokens.lastUseAt', { at: formatDateTime(token.lastUsedAt, language), ip: token.lastUsedIp ?? '?' })}</td>
              <td>
                <span className={`badge ${token.status === 'active' ? 'badge-ok' : token.status === 'revoked' ? 'badge-bad' : 'badge-neutral'}`}>{t(`apiTokens.statuses.${token.status}`)}</span>
              </td>
              <td>
                {token.status === 'active' && (
                  <button type="button" className="button button-secondary button-small" aria-label={t('apiTokens.revokeLabel', { name: token.name })} onClick={() => onRevoke(token)}>
                    {t('apiTokens.revoke')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The new token, once: a copy button, the plain warning, and how to use it. */
function CreatedToken({ created, onDone }: { created: TokenCreated; onDone: () => void }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), []);
  const onCopy = async () => {
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied('yes');
    } catch {
      inputRef.current?.select();
      setCopied('failed');
    }
  };
  return (
    <div className="alert alert-info" role="region" aria-labelledby="api-token-created-title">
      <h3 id="api-token-created-title" ref={headingRef} tabIndex={-1}>
        {t('apiTokens.createdTitle', { name: created.view.name })}
      </h3>
      <p>
        <strong>{t('apiTokens.createdWarning')}</strong>
      </p>
      <div className="field">
        <label htmlFor="api-token-value">{t('apiTokens.tokenLabel')}</label>
        <input ref={inputRef} id="api-token-value" className="input input-mono" readOnly value={created.token} onFocus={(event) => event.currentTarget.select()} />
      </div>
      <div className="button-row">
        <button type="button" className="button button-primary" onClick={() => void onCopy()}>
          {t('apiTokens.copy')}
        </button>
        <button type="button" className="button button-secondary" onClick={onDone}>
          {t('apiTokens.done')}
        </button>
      </div>
      {copied !== null && <p role="status">{copied === 'yes' ? t('apiTokens.copied') : t('apiTokens.copyFailed')}</p>}
      <p>{t('apiTokens.usage')}</p>
      <pre className="input-mono">{`curl -H "Authorization: Bearer ${created.token}" ${window.location.origin}/api/devices`}</pre>
    </div>
  );
}

interface FormErrors {
  name?: string;
  expiresInDays?: string;
  filter?: string;
}

function CreateTokenDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (created: TokenCreated) => void }) {
  const { t } = useTranslation();
  const client = useApi();
  const ref = useRef<HTMLDialogElement>(null);
  const nameRef = useRef<HTMLInputElement>(null);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<TokenKindName>('read');
  const [days, setDays] = useState(String(DEFAULT_TOKEN_DAYS));
  const [filter, setFilter] = useState({ serial: '', serialFrom: '', serialTo: '', customerNo: '' });
  const [publicKey, setPublicKey] = useState('');
  const [errors, setErrors] = useState<FormErrors>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog !== null && !dialog.open) dialog.showModal();
  }, []);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found: FormErrors = {};
    if (name.trim() === '') found.name = t('apiTokens.nameRequired');
    const n = Number(days);
    if (!/^\d+$/.test(days.trim()) || n < 1 || n > MAX_DAYS_UI) found.expiresInDays = t('apiTokens.expiresInvalid');
    const deviceFilter: NonNullable<TokenCreateBody['deviceFilter']> = {};
    for (const key of ['serial', 'serialFrom', 'serialTo', 'customerNo'] as const) {
      const value = filter[key].trim();
      if (value === '') continue;
      const plain = key === 'serial' && value.endsWith('*') ? value.slice(0, -1) : value;
      if (!filterValue.test(plain)) found.filter = t('apiTokens.filterInvalid');
      deviceFilter[key] = value;
    }
    setErrors(found);
    setError(null);
    if (found.name !== undefined) return nameRef.current?.focus();
    if (found.expiresInDays !== undefined || found.filter !== undefined) return;
    setBusy(true);
    try {
      const input: TokenCreateBody = { name: name.trim(), kind, expiresInDays: n };
      if (Object.keys(deviceFilter).length > 0) input.deviceFilter = deviceFilter;
      if (kind !== 'read' && publicKey.trim() !== '') input.publicKey = publicKey.trim();
      const created = await createToken(client, input);
      ref.current?.close();
      onCreated(created);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog ref={ref} className="dialog" aria-labelledby="api-token-create-title" onClose={onClose}>
      <h2 id="api-token-create-title">{t('apiTokens.createTitle')}</h2>
      {error !== null && <ProblemAlert error={error} />}
      <form noValidate onSubmit={(event) => void onSubmit(event)} className="form">
        <TextField
          ref={nameRef}
          id="api-token-name"
          label={t('apiTokens.name')}
          hint={t('apiTokens.nameHint')}
          value={name}
          onChange={(event) => setName(event.target.value)}
          error={errors.name ?? null}
          maxLength={100}
          autoComplete="off"
          autoFocus
        />
        <fieldset className="settings-group">
          <legend>{t('apiTokens.kind')}</legend>
          {tokenKinds.map((option) => (
            <label key={option} className="radio">
              <input type="radio" name="api-token-kind" value={option} checked={kind === option} onChange={() => setKind(option)} />
              <span>
                <span className="radio-label">{t(`apiTokens.kinds.${option}`)}</span>
                <span className="radio-hint field-hint">{t(`apiTokens.kindHints.${option}`)}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <TextField
          id="api-token-days"
          label={t('apiTokens.expiresInDays')}
          hint={t('apiTokens.expiresHint')}
          type="number"
          inputMode="numeric"
          min={1}
          max={MAX_DAYS_UI}
          value={days}
          onChange={(event) => setDays(event.target.value)}
          error={errors.expiresInDays ?? null}
        />
        <fieldset className="settings-group">
          <legend>{t('apiTokens.filterLegend')}</legend>
          <p className="field-hint">{t('apiTokens.filterHint')}</p>
          {errors.filter !== undefined && (
            <p className="field-error" role="alert">
              {errors.filter}
            </p>
          )}
          <TextField id="api-token-serial" label={t('apiTokens.serial')} hint={t('apiTokens.serialHint')} value={filter.serial} onChange={(event) => setFilter({ ...filter, serial: event.target.value })} />
          <TextField id="api-token-serial-from" label={t('apiTokens.serialFrom')} value={filter.serialFrom} onChange={(event) => setFilter({ ...filter, serialFrom: event.target.value })} />
          <TextField id="api-token-serial-to" label={t('apiTokens.serialTo')} value={filter.serialTo} onChange={(event) => setFilter({ ...filter, serialTo: event.target.value })} />
          <TextField id="api-token-customer" label={t('apiTokens.customerNo')} value={filter.customerNo} onChange={(event) => setFilter({ ...filter, customerNo: event.target.value })} />
        </fieldset>
        {kind !== 'read' && (
          <div className="field">
            <label htmlFor="api-token-public-key">{t('apiTokens.publicKeyLabel')}</label>
            <div id="api-token-public-key-hint" className="field-hint">
              {t('apiTokens.publicKeyHint')}
            </div>
            <textarea
              id="api-token-public-key"
              className="input input-mono textarea-small"
              aria-describedby="api-token-public-key-hint"
              value={publicKey}
              onChange={(event) => setPublicKey(event.target.value)}
              rows={4}
              spellCheck={false}
            />
          </div>
        )}
        <div className="button-row">
          <button type="button" className="button button-secondary" onClick={() => ref.current?.close()}>
            {t('apiTokens.cancel')}
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? t('apiTokens.submitting') : t('apiTokens.submit')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
