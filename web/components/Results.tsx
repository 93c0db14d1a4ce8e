import type { UseQueryResult } from '@tanstack/react-query';
import { Button, Result, Skeleton } from 'antd';
import { isApiError } from '../api/client';
import { errorText } from './errors';
import { useNavigate } from 'react-router';
import { useT } from '../i18n';

function BackHome() {
  const t = useT();
  const navigate = useNavigate();
  return (
    <Button type="primary" onClick={() => navigate('/')}>
      {t('common.backHome')}
    </Button>
  );
}

/** Shown instead of a page the user's role does not allow. */
export function ForbiddenResult() {
  const t = useT();
  return (
    <Result status="403" title={t('result.forbiddenTitle')} subTitle={t('result.forbidden')} extra={<BackHome />} />
  );
}

export function NotFoundResult() {
  const t = useT();
  return <Result status="404" title={t('result.notFoundTitle')} subTitle={t('result.notFound')} extra={<BackHome />} />;
}

export function ErrorResult({ detail, onRetry }: { detail?: string; onRetry?: () => void }) {
  const t = useT();
  return (
    <Result
      status="error"
      title={t('result.errorTitle')}
      subTitle={detail ?? t('result.error')}
      extra={onRetry && <Button onClick={onRetry}>{t('common.retry')}</Button>}
    />
  );
}

// In a module of its own so that the first load can show it without antd's Result (and its illustrations).
export { FullPageSpin } from './FullPageSpin';

/**
 * What a record page shows while its record is not there: a skeleton while loading, the 404 page
 * for a record that does not exist or is out of the reader's scope (or a malformed id), an error
 * with retry otherwise. Render it when the query has no data.
 */
export function RecordQueryResult({ query }: { query: Pick<UseQueryResult, 'isPending' | 'error' | 'refetch'> }) {
  const t = useT();
  if (query.isPending) return <Skeleton active />;
  if (isApiError(query.error) && (query.error.status === 404 || query.error.code === 'VALIDATION_FAILED'))
    return <NotFoundResult />;
  return <ErrorResult detail={errorText(t, query.error)} onRetry={() => void query.refetch()} />;
}
