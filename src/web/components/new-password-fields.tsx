// A new password as the account pages ask for it: the password, its repetition and the policy
// box beside the form, ticking while the user types. The pages keep their own ids, labels and
// other fields; useNewPassword holds the two values and the policy box's verdict and runs the
// client-side checks the pages share.
import { useRef, useState, type ReactNode, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import type { PolicyResult } from '../../shared/password-policy/index.js';
import { PasswordPolicyBox } from './password-policy-box.js';
import { TextField } from './text-field.js';

export interface NewPasswordErrors {
  password?: string;
  repeat?: string;
}

export interface NewPasswordTexts {
  /** For an empty password; without it an empty password is left to the policy check. */
  required?: string;
  policyNotMet: string;
  mismatch: string;
}

export interface NewPassword {
  password: string;
  repeat: string;
  setPassword(value: string): void;
  setRepeat(value: string): void;
  /** The policy box's verdict on the password (the server's own rules); null until it has one. */
  setPolicy(result: PolicyResult): void;
  passwordRef: RefObject<HTMLInputElement | null>;
  repeatRef: RefObject<HTMLInputElement | null>;
  /** The field errors of the two fields and, if there is one, how to focus the first field in error. */
  check(texts?: NewPasswordTexts): { errors: NewPasswordErrors; focus: (() => void) | null };
  clear(): void;
}

export function useNewPassword(): NewPassword {
  const { t } = useTranslation();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [policy, setPolicy] = useState<PolicyResult | null>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const repeatRef = useRef<HTMLInputElement>(null);

  const check = (texts?: NewPasswordTexts) => {
    const { required, policyNotMet, mismatch } = texts ?? {
      required: t('account.passwordRequired'),
      policyNotMet: t('account.policyNotMet'),
      mismatch: t('account.mismatch'),
    };
    const errors: NewPasswordErrors = {
      ...(password === '' && required !== undefined ? { password: required } : policy?.ok === false ? { password: policyNotMet } : {}),
      ...(repeat !== password ? { repeat: mismatch } : {}),
    };
    const first = errors.password !== undefined ? passwordRef : errors.repeat !== undefined ? repeatRef : null;
    return { errors, focus: first === null ? null : () => first.current?.focus() };
  };

  const clear = () => {
    setPassword('');
    setRepeat('');
  };

  return { password, repeat, setPassword, setRepeat, setPolicy, passwordRef, repeatRef, check, clear };
}

export interface NewPasswordFieldsProps {
  state: NewPassword;
  /** The password field's id; the repetition's is `${id}-repeat`. */
  id: string;
  label: string;
  repeatLabel: string;
  placeholder?: string;
  repeatPlaceholder?: string;
  errors: NewPasswordErrors;
}

/** The two password fields, for inside the page's form. */
export function NewPasswordFields({ state, id, label, repeatLabel, placeholder, repeatPlaceholder, errors }: NewPasswordFieldsProps) {
  return (
    <>
      <TextField
        ref={state.passwordRef}
        id={id}
        label={label}
        placeholder={placeholder}
        type="password"
        autoComplete="new-password"
        value={state.password}
        onChange={(event) => state.setPassword(event.target.value)}
        error={errors.password ?? null}
      />
      <TextField
        ref={state.repeatRef}
        id={`${id}-repeat`}
        label={repeatLabel}
        placeholder={repeatPlaceholder}
        type="password"
        autoComplete="new-password"
        value={state.repeat}
        onChange={(event) => state.setRepeat(event.target.value)}
        error={errors.repeat ?? null}
      />
    </>
  );
}

/** The page's form (the children) with the policy box beside it; `name` and `email` are the account's, which the password must not contain. */
export function PolicyLayout({ state, name, email, children }: { state: NewPassword; name?: string | null; email: string; children: ReactNode }) {
  return (
    <div className="policy-layout">
      {children}
      <PasswordPolicyBox password={state.password} name={name ?? undefined} email={email} onResult={state.setPolicy} />
    </div>
  );
}
