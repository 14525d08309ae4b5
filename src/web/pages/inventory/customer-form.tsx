// The fields of a customer account, checked here with the server's bounds (docs/inventory.md
// "Customer accounts") so most mistakes are named at once; the server checks again, and the
// fields it names in `details` (or 409 customer_no_taken) are shown at the field.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { isApiError } from '../../api/client.js';
import type { CustomerInput } from '../../api/customers-api.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { TextField } from '../../components/text-field.js';

export const customerNoPattern = /^[A-Za-z0-9._/-]{1,32}$/;
const nameMaxLength = 200;
const emailMaxLength = 254;
const notesMaxLength = 2000;
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export type CustomerField = 'customerNo' | 'name' | 'contactEmail' | 'notes';
export type CustomerProblems = Partial<Record<CustomerField, string>>;

export function customerProblems(t: TFunction, input: CustomerInput): CustomerProblems {
  const problems: CustomerProblems = {};
  if (input.customerNo === '') problems.customerNo = t('customers.problems.customerNoRequired');
  else if (!customerNoPattern.test(input.customerNo)) problems.customerNo = t('customers.problems.customerNoInvalid');
  if (input.name === '') problems.name = t('customers.problems.nameRequired');
  else if ([...input.name].length > nameMaxLength) problems.name = t('customers.problems.nameInvalid');
  if (input.contactEmail !== null && (input.contactEmail.length > emailMaxLength || !emailPattern.test(input.contactEmail))) problems.contactEmail = t('customers.problems.emailInvalid');
  if (input.notes !== null && [...input.notes].length > notesMaxLength) problems.notes = t('customers.problems.notesInvalid');
  return problems;
}

/** The server's answer as field problems: 409 at the number, validation details at their fields. */
export function serverProblems(t: TFunction, error: unknown): CustomerProblems {
  if (!isApiError(error)) return {};
  if (error.code === 'customer_no_taken') return { customerNo: t('errorCodes.customer_no_taken') };
  const problems: CustomerProblems = {};
  for (const detail of error.details) {
    const field = detail.field.split('.').pop();
    if (field === 'customerNo') problems.customerNo = t('customers.problems.customerNoInvalid');
    if (field === 'name') problems.name = t('customers.problems.nameInvalid');
    if (field === 'contactEmail') problems.contactEmail = t('customers.problems.emailInvalid');
    if (field === 'notes') problems.notes = t('customers.problems.notesInvalid');
  }
  return problems;
}

export function toInput(values: Record<CustomerField, string>): CustomerInput {
  const email = values.contactEmail.trim();
  const notes = values.notes.trim();
  return { customerNo: values.customerNo.trim(), name: values.name.trim(), contactEmail: email === '' ? null : email, notes: notes === '' ? null : notes };
}

const order: CustomerField[] = ['customerNo', 'name', 'contactEmail', 'notes'];

export function CustomerForm({
  idPrefix,
  initial,
  submitLabel,
  busyLabel,
  onSubmit,
}: {
  idPrefix: string;
  initial: Record<CustomerField, string>;
  submitLabel: string;
  busyLabel: string;
  /** Resolves when saved (the form then resets to what it resolves); rejects with the server's error. */
  onSubmit: (input: CustomerInput) => Promise<Record<CustomerField, string> | void>;
}) {
  const { t } = useTranslation();
  const [values, setValues] = useState(initial);
  const [problems, setProblems] = useState<CustomerProblems>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const id = (field: CustomerField) => `${idPrefix}-${field}`;

  const focusFirst = (found: CustomerProblems) => {
    const first = order.find((field) => found[field] !== undefined);
    if (first !== undefined) document.getElementById(id(first))?.focus();
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const input = toInput(values);
    const found = customerProblems(t, input);
    setProblems(found);
    setError(null);
    if (Object.keys(found).length > 0) {
      focusFirst(found);
      return;
    }
    setBusy(true);
    try {
      const next = await onSubmit(input);
      if (next) setValues(next);
    } catch (err) {
      const atFields = serverProblems(t, err);
      setProblems(atFields);
      // A taken number is said at the field only; anything else above the form too.
      if (Object.keys(atFields).length > 0) focusFirst(atFields);
      if (!isApiError(err) || err.code !== 'customer_no_taken') setError(err);
    } finally {
      setBusy(false);
    }
  };

  const change = (field: CustomerField) => (event: { currentTarget: { value: string } }) => {
    const value = event.currentTarget.value;
    setValues((previous) => ({ ...previous, [field]: value }));
  };

  return (
    <form className="form" noValidate onSubmit={(event) => void submit(event)}>
      {error !== null && <ErrorAlert error={error} />}
      <TextField
        id={id('customerNo')}
        label={t('customers.customerNo')}
        hint={t('customers.customerNoHint')}
        value={values.customerNo}
        onChange={change('customerNo')}
        error={problems.customerNo ?? null}
        autoComplete="off"
        spellCheck={false}
        maxLength={32}
        required
      />
      <TextField id={id('name')} label={t('customers.name')} value={values.name} onChange={change('name')} error={problems.name ?? null} autoComplete="organization" required />
      <TextField
        id={id('contactEmail')}
        label={t('customers.contactEmail')}
        type="email"
        value={values.contactEmail}
        onChange={change('contactEmail')}
        error={problems.contactEmail ?? null}
        autoComplete="email"
      />
      <div className="field">
        <label htmlFor={id('notes')}>{t('customers.notes')}</label>
        <textarea
          id={id('notes')}
          className="input textarea-small"
          rows={3}
          value={values.notes}
          onChange={change('notes')}
          aria-invalid={problems.notes ? true : undefined}
          aria-describedby={problems.notes ? `${id('notes')}-error` : undefined}
        />
        {problems.notes && (
          <p id={`${id('notes')}-error`} className="field-error">
            {problems.notes}
          </p>
        )}
      </div>
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? busyLabel : submitLabel}
      </button>
    </form>
  );
}
