import { ReloadOutlined } from '@ant-design/icons';
import { Alert, Button, Result, Skeleton } from 'antd';
import type { ReactNode } from 'react';
import { useT } from '../i18n';
import { errorText } from './errors';

/**
 * What a list or card needs to know of its query (a TanStack `UseQueryResult` fits): whether it
 * is still loading, whether it failed, and how to try again.
 */
export type LoadState = {
  isPending: boolean;
  error: unknown;
  refetch: () => unknown;
  data?: unknown;
  isFetching?: boolean;
  isPlaceholderData?: boolean;
};

/** Several queries as one state, for a card that shows two lists (loading while any is, failed when any did). */
export function allOf(...queries: LoadState[]): LoadState {
  return {
    isPending: queries.some((q) => q.isPending),
    error: queries.find((q) => q.error)?.error ?? null,
    refetch: () => Promise.all(queries.filter((q) => q.error).map((q) => q.refetch())),
    data: queries.every((q) => q.data !== undefined) ? queries.map((q) => q.data) : undefined,
    isFetching: queries.some((q) => q.isFetching),
    isPlaceholderData: queries.some((q) => q.isPlaceholderData),
  };
}

/**
 * True when the query failed and what is on screen is not its answer: no data at all, or the
 * previous filter's rows kept as a placeholder. Then the list shows the error, never "nothing here".
 */
export function failedWithoutData(query: LoadState): boolean {
  return Boolean(query.error) && (query.data === undefined || Boolean(query.isPlaceholderData));
}

/**
 * The one "could not load" of every list and card: the server's (or the network's) reason and a
 * retry. `compact` for a card or a banner above rows that are still shown; the full result for a
 * page's list.
 */
export function LoadError({ query, compact = false }: { query: LoadState; compact?: boolean }) {
  const t = useT();
  const retry = (
    <Button
      icon={<ReloadOutlined />}
      size={compact ? 'small' : 'middle'}
      type={compact ? 'default' : 'primary'}
      loading={Boolean(query.isFetching)}
      onClick={() => void query.refetch()}
      data-testid="load-retry"
    >
      {t('common.retry')}
    </Button>
  );
  if (compact)
    return (
      <Alert
        type="error"
        showIcon
        title={t('result.loadFailed')}
        description={errorText(t, query.error)}
        action={retry}
        role="alert"
        data-testid="load-error"
      />
    );
  return (
    <Result
      status="error"
      title={t('result.loadFailed')}
      subTitle={errorText(t, query.error)}
      extra={retry}
      role="alert"
      data-testid="load-error"
      style={{ padding: '24px 16px' }}
    />
  );
}

/**
 * The body of a card that shows what a query loaded: a skeleton while it loads, the error with a
 * retry when it failed (never the card's empty state), else the content — with the error above it
 * when a refresh failed while older data is still shown.
 */
export function Loaded({
  query,
  children,
  loading,
  compact = true,
}: {
  query: LoadState;
  /** The content; a function is called only once the data is there. */
  children: ReactNode | (() => ReactNode);
  /** Shown while loading (default: a small skeleton). */
  loading?: ReactNode;
  compact?: boolean;
}) {
  if (failedWithoutData(query)) return <LoadError query={query} compact={compact} />;
  if (query.isPending) return <>{loading ?? <Skeleton active paragraph={{ rows: 2 }} title={false} />}</>;
  const content = typeof children === 'function' ? children() : children;
  if (!query.error) return <>{content}</>;
  return (
    <>
      <LoadError query={query} compact />
      <div style={{ marginTop: 12 }}>{content}</div>
    </>
  );
}
