// The guide's policy box beside a password form: each rule of the active profile, ticked while
// the user types. It runs the server's own rules (src/shared/password-policy), so what it ticks is
// what the server will accept; the server checks again on submit and names what failed.
import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { evaluatePassword, isBlocklistLoaded, loadBlocklist, type PasswordProfile, type PolicyResult, type PolicyRule } from '../../shared/password-policy/index.js';
import { useApi } from '../api/api-context.js';
import { getPasswordProfile } from '../api/settings-api.js';

export interface PasswordPolicyBoxProps {
  password: string;
  name?: string;
  email?: string;
  /** Set for a password change of an account with two-factor sign-in (the NIST profile asks less). */
  hasSecondFactor?: boolean;
  /** Every evaluation, e.g. to refuse submitting while `ok` is false. */
  onResult?(result: PolicyResult): void;
}

type BlocklistState = 'loading' | 'ready' | 'failed';
type RuleState = 'met' | 'unmet' | 'pending';

const compositionRules = new Set<PolicyRule['id']>(['lowercase', 'uppercase', 'digit', 'special']);

/** The active profile; the guide's while the answer is out or if it never comes (the server decides anyway). */
function useActiveProfile(): PasswordProfile | null {
  const client = useApi();
  const [profile, setProfile] = useState<PasswordProfile | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    getPasswordProfile(client, { signal: controller.signal }).then(setProfile, () => {
      if (!controller.signal.aborted) setProfile('guide');
    });
    return () => controller.abort();
  }, [client]);
  return profile;
}

/** The blocklist is a separate chunk of about 1 MB, fetched when the first box appears. */
function useBlocklist(): BlocklistState {
  const [state, setState] = useState<BlocklistState>(isBlocklistLoaded() ? 'ready' : 'loading');
  useEffect(() => {
    if (state !== 'loading') return;
    let live = true;
    loadBlocklist().then(
      () => live && setState('ready'),
      () => live && setState('failed'),
    );
    return () => {
      live = false;
    };
  }, [state]);
  return state;
}

export function PasswordPolicyBox({ password, name, email, hasSecondFactor = false, onResult }: PasswordPolicyBoxProps) {
  const { t } = useTranslation();
  const headingId = useId();
  const profile = useActiveProfile();
  const blocklist = useBlocklist();

  const result = useMemo(
    () => (profile === null ? null : evaluatePassword({ password, name: name ?? null, email: email ?? null, profile, hasSecondFactor })),
    // The blocklist state is a dependency: the same password evaluates differently once it is loaded.
    [password, name, email, profile, hasSecondFactor, blocklist],
  );

  const report = useRef(onResult);
  report.current = onResult;
  useEffect(() => {
    if (result !== null) report.current?.(result);
  }, [result]);

  const stateOf = (rule: PolicyRule): RuleState => {
    if (rule.id === 'not-common' && blocklist !== 'ready') return 'pending';
    // Nothing typed yet: nothing is met, not even "not your name".
    return rule.met && password !== '' ? 'met' : 'unmet';
  };

  const item = (rule: PolicyRule) => {
    const state = stateOf(rule);
    return (
      <li key={rule.id} className={`policy-rule policy-rule-${state}`} data-rule={rule.id} data-state={state}>
        <span className="policy-mark" aria-hidden="true">
          {state === 'met' ? '✓' : state === 'pending' ? '…' : '○'}
        </span>
        <span>
          {t(`policy.rules.${rule.id}`, { limit: rule.limit })}
          <span className="visually-hidden">: {t(`policy.state.${state}`)}</span>
        </span>
      </li>
    );
  };

  let body: ReactNode;
  if (result === null) {
    body = <p className="policy-loading">{t('policy.loading')}</p>;
  } else {
    const composition = result.rules.filter((rule) => compositionRules.has(rule.id));
    const rule = (id: PolicyRule['id']) => result.rules.find((r) => r.id === id);
    const order: PolicyRule['id'][] = ['not-name', 'not-email', 'min-length', 'max-length'];
    const met = result.rules.filter((r) => stateOf(r) === 'met').length;
    body = (
      <>
        <ul className="policy-rules">
          {order.map((id) => rule(id)).flatMap((r) => (r === undefined ? [] : [item(r)]))}
          {composition.length > 0 && (
            <li className="policy-group">
              <span>{t('policy.contains')}</span>
              <ul className="policy-rules">{composition.map(item)}</ul>
            </li>
          )}
          {[rule('not-common')].flatMap((r) => (r === undefined ? [] : [item(r)]))}
        </ul>
        {profile === 'nist' && <p className="policy-note">{t('policy.hintNist')}</p>}
        {blocklist === 'failed' && <p className="policy-note">{t('policy.blocklistUnavailable')}</p>}
        <p className="policy-summary" aria-live="polite">
          {password === '' ? '' : met === result.rules.length ? t('policy.allMet') : t('policy.summary', { met, total: result.rules.length })}
        </p>
      </>
    );
  }

  return (
    <aside className="policy-box" aria-labelledby={headingId}>
      <h2 id={headingId} className="policy-title">
        {t('policy.title')}
      </h2>
      {body}
    </aside>
  );
}
