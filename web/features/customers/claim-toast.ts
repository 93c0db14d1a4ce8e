import { App } from 'antd';
import { useCallback } from 'react';
import { isApiError } from '../../api/client';
import { useErrorToast } from '../../components/errors';
import { useT } from '../../i18n';

/**
 * Says why a claim failed. Someone faster took the customer: it left the pool and, for a
 * salesperson, their sight too — the server answers "not found" then, as for any customer of
 * someone else; here that reads as "no longer in the pool".
 */
export function useClaimFailedToast(): (error: unknown) => void {
  const t = useT();
  const toast = useErrorToast();
  const { message } = App.useApp();
  return useCallback(
    (error: unknown) => (isApiError(error, 'NOT_FOUND') ? void message.error(t('customer.claimGone')) : toast(error)),
    [t, toast, message],
  );
}
