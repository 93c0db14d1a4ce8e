import { App } from 'antd';
import type { FormInstance } from 'antd';
import { useCallback } from 'react';
import { ApiError } from '../api/client';
import { useT } from '../i18n';
import { errorText } from './error-text';

// errorText lives apart (error-text.ts) so that the first load can use it without antd's App; kept here for every caller.
export { errorText };

/** A toast for a failed call. */
export function useErrorToast() {
  const t = useT();
  const { message } = App.useApp();
  return useCallback((error: unknown) => void message.error(errorText(t, error)), [t, message]);
}

type Issue = { path: string; message: string };

/**
 * A form's fields; how the server's `details.field` names map onto them (e.g. role → roleId);
 * and error codes that concern one field as a whole (e.g. WRONG_PASSWORD → currentPassword).
 */
export type FormFields = { names: readonly string[]; rename?: Record<string, string>; codes?: Record<string, string> };

/**
 * Puts a server error onto the form fields it concerns: validation issues (`body.<field>`, or a service's `<field>`),
 * duplicates and inactive references (`details.field`, renamed through `fieldMap`).
 * Returns false when the error concerns no field of this form, so the caller shows a toast.
 */
export function applyServerErrors(form: FormInstance, error: unknown, fields: FormFields): boolean {
  if (!(error instanceof ApiError)) return false;
  const known = new Set(fields.names);
  const byField = new Map<string, string[]>();
  const add = (raw: string, text: string) => {
    const name = fields.rename?.[raw] ?? raw;
    if (!known.has(name)) return;
    byField.set(name, [...(byField.get(name) ?? []), text]);
  };
  const details = error.details as { issues?: Issue[]; field?: string } | undefined;
  if (fields.codes?.[error.code]) {
    add(fields.codes[error.code], error.message);
  } else if (error.code === 'VALIDATION_FAILED' && Array.isArray(details?.issues)) {
    // The schema's issues name `body.<field>`; a service's own checks name the field alone (`pattern`, `lines`).
    for (const issue of details.issues) {
      const [first, second] = issue.path.split('.');
      const field = first === 'body' ? second : first === 'query' || first === 'params' ? undefined : first;
      if (field) add(field, issue.message);
    }
  } else if (typeof details?.field === 'string') {
    add(details.field, error.message);
  }
  if (byField.size === 0) return false;
  form.setFields([...byField].map(([name, errors]) => ({ name, errors })));
  return true;
}

/** The error handler of a form's submit: server errors onto the fields, anything else as a toast. */
export function useFormSubmitError(form: FormInstance, fields: FormFields) {
  const toast = useErrorToast();
  return useCallback(
    (error: unknown) => {
      if (!applyServerErrors(form, error, fields)) toast(error);
    },
    [form, fields, toast],
  );
}
