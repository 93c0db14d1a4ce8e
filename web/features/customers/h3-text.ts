import { App } from 'antd';
import { useCallback, useMemo } from 'react';
import { isApiError } from '../../api/client';
import { useErrorToast } from '../../components/errors';
import { format, useLocale } from '../../i18n';
import { enUS, zhCN, type H3MessageKey } from './messages-h3';

/** The strings of messages-h3.ts in the current language (until they join the typed dictionary and useT()). */
export function useH3T(): (key: H3MessageKey, params?: Record<string, string | number>) => string {
  const { locale } = useLocale();
  return useMemo(() => {
    const catalog: Record<H3MessageKey, string> = locale === 'en-US' ? enUS : zhCN;
    return (key, params) => format(catalog[key], params);
  }, [locale]);
}

/**
 * Says why a claim failed. Someone faster took the customer: it left the pool and, for a
 * salesperson, their sight too — the server answers "not found" then, as for any customer of
 * someone else; here that reads as "no longer in the pool".
 */
export function useClaimFailedToast(): (error: unknown) => void {
  const h3 = useH3T();
  const toast = useErrorToast();
  const { message } = App.useApp();
  return useCallback(
    (error: unknown) => (isApiError(error, 'NOT_FOUND') ? void message.error(h3('customer.claimGone')) : toast(error)),
    [h3, toast, message],
  );
}
