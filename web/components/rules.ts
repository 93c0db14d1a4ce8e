import type { FormRule } from 'antd';
import { useMemo } from 'react';
import type { z } from 'zod';
import { isMessageKey, translate, type Locale } from '../../common/i18n';
import { useLocale, useT, type Translate, type WebMessageKey } from '../i18n';

/** The message of a Zod issue in the UI language, worded like the server's validation messages. */
function issueText(locale: Locale, t: Translate, issue: z.core.$ZodIssue): string {
  if (isMessageKey(issue.message)) return translate(locale, issue.message);
  switch (issue.code) {
    case 'too_big':
      return translate(
        locale,
        issue.origin === 'array'
          ? 'validation.tooManyItems'
          : issue.origin === 'string'
            ? 'validation.tooLong'
            : 'validation.tooBig',
        { maximum: issue.maximum },
      );
    case 'too_small':
      return translate(
        locale,
        issue.origin === 'array'
          ? 'validation.tooFewItems'
          : issue.origin === 'string'
            ? 'validation.tooShort'
            : 'validation.tooSmall',
        { minimum: issue.minimum },
      );
    case 'invalid_format':
      return issue.format === 'email'
        ? t('form.emailInvalid')
        : translate(locale, 'validation.format', { format: issue.format });
    default:
      return translate(locale, 'validation.invalid');
  }
}

/**
 * Form rules. `schema` validates a field with the very Zod schema the server uses (from
 * `common/schemas`), so client and server never disagree; empty values are left to `required`.
 */
export function useRules() {
  const t = useT();
  const { locale } = useLocale();
  return useMemo(
    () => ({
      required: (label: WebMessageKey, kind: 'input' | 'select' = 'input'): FormRule => ({
        required: true,
        whitespace: kind === 'input',
        message: t(kind === 'input' ? 'form.required' : 'form.select', { field: t(label) }),
      }),
      schema: (schema: z.ZodType): FormRule => ({
        validator: async (_rule, value: unknown) => {
          if (value === undefined || value === null || value === '') return;
          const result = schema.safeParse(value);
          if (!result.success) throw new Error(issueText(locale, t, result.error.issues[0]));
        },
      }),
    }),
    [t, locale],
  );
}
