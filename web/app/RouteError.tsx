import { ReloadOutlined } from '@ant-design/icons';
import { Button, Result } from 'antd';
import { useRouteError } from 'react-router';
import { errorText } from '../components/errors';
import { ErrorResult } from '../components/Results';
import { useT } from '../i18n';

/**
 * How each browser words a dynamic import whose file is gone or unreachable (Chromium, Firefox,
 * Safari), and Vite's own preload error: after a release the old chunks no longer exist.
 */
const CHUNK_LOAD_FAILURE =
  /Failed to fetch dynamically imported module|error loading dynamically imported module|Importing a module script failed|Unable to preload CSS|Loading chunk \S+ failed/i;

export function isChunkLoadError(error: unknown): boolean {
  return error instanceof Error && CHUNK_LOAD_FAILURE.test(error.message);
}

/** A page's code could not be loaded: say so in words a user understands and offer the reload that fixes it. */
export function ChunkLoadResult() {
  const t = useT();
  return (
    <Result
      status="warning"
      title={t('result.chunkTitle')}
      subTitle={t('result.chunk')}
      data-testid="chunk-load-error"
      extra={
        <Button type="primary" icon={<ReloadOutlined />} onClick={() => window.location.reload()}>
          {t('result.reload')}
        </Button>
      }
    />
  );
}

/** The error element of every route: a page that threw, or whose code could not be loaded. */
export function RouteError() {
  const error = useRouteError();
  const t = useT();
  if (isChunkLoadError(error)) return <ChunkLoadResult />;
  return (
    <ErrorResult
      detail={error instanceof Error ? errorText(t, error) : undefined}
      onRetry={() => window.location.reload()}
    />
  );
}
