import { isMessageKey, translate, type Locale, type MessageKey } from '../../common/i18n';

/** A Zod issue, or the same fields as Fastify's validation error carries them (`keyword` + `params`). */
export type IssueLike = { code: string; message: string; [field: string]: unknown };

/**
 * One validation issue in the reader's language, worded the same everywhere (API errors,
 * import reports). Custom refinements carry an i18n key as their message.
 */
export function issueMessage(locale: Locale, issue: IssueLike): string {
  const t = (key: MessageKey, params?: Record<string, unknown>) => translate(locale, key, params);
  switch (issue.code) {
    case 'invalid_type':
      return /received undefined/.test(issue.message)
        ? t('validation.required')
        : t('validation.type', { expected: issue.expected });
    case 'too_small':
      if (issue.origin === 'string') return t('validation.tooShort', { minimum: issue.minimum });
      if (issue.origin === 'array') return t('validation.tooFewItems', { minimum: issue.minimum });
      return t('validation.tooSmall', { minimum: issue.minimum });
    case 'too_big':
      if (issue.origin === 'string') return t('validation.tooLong', { maximum: issue.maximum });
      if (issue.origin === 'array') return t('validation.tooManyItems', { maximum: issue.maximum });
      return t('validation.tooBig', { maximum: issue.maximum });
    case 'invalid_format':
      return isMessageKey(issue.message) ? t(issue.message) : t('validation.format', { format: issue.format });
    case 'unrecognized_keys':
      return t('validation.unknownFields', { keys: (issue.keys as string[]).join(', ') });
    case 'invalid_value':
      return t('validation.enum', { values: (issue.values as unknown[]).join(', ') });
    case 'invalid_union': {
      // The first alternative's complaint is the one a person can act on.
      const inner = (issue.errors as IssueLike[][] | undefined)?.flat()[0];
      if (inner) return issueMessage(locale, inner);
      return isMessageKey(issue.message) ? t(issue.message) : t('validation.invalid');
    }
    default:
      return isMessageKey(issue.message) ? t(issue.message) : t('validation.invalid');
  }
}
