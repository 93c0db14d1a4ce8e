import { ApiError } from '../api/client';
import type { Translate } from '../i18n';

/** The text to show for a failed call: the server's localised message, or ours for network failures. */
export function errorText(t: Translate, error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'NETWORK_ERROR') return t('common.networkError');
    return error.message || t('common.unknownError', { code: error.code });
  }
  return t('common.unknownError', { code: error instanceof Error ? error.name : 'UNKNOWN' });
}
