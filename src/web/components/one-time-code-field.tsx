// The six-digit code of an authenticator app, as the sign-in step and the enrolment ask for it.
import { TextField, type TextFieldProps } from './text-field.js';

/** A code as people type it (with spaces, sometimes), reduced to its digits. */
export function digitsOf(value: string): string {
  return value.replace(/\s/g, '');
}

/** The client-side check of a code already reduced by digitsOf: the page's text for what is wrong, or null. */
export function oneTimeCodeProblem(entered: string, texts: { required: string; invalid: string }): string | null {
  return entered === '' ? texts.required : /^\d{6}$/.test(entered) ? null : texts.invalid;
}

export type OneTimeCodeFieldProps = Omit<TextFieldProps, 'inputMode' | 'autoComplete' | 'spellCheck' | 'className' | 'maxLength'>;

export function OneTimeCodeField(props: OneTimeCodeFieldProps) {
  return <TextField {...props} inputMode="numeric" autoComplete="one-time-code" spellCheck={false} className="input-code" maxLength={12} />;
}
