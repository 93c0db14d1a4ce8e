import { CloseCircleFilled, ReloadOutlined, WarningFilled } from '@ant-design/icons';
import { Button, Flex, theme } from 'antd';
import type { ReactNode } from 'react';
import { useRouteError } from 'react-router';
import { errorText } from '../components/error-text';
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

/**
 * A result drawn like antd's Result (icon, title, text, action) without it, and with plain text instead of
 * antd's Typography: these show when code could not be loaded, so they are part of the first load, which
 * antd's Result (with its illustrations) and Typography (with its editing and copying) are not.
 */
function PlainResult(props: { icon: ReactNode; title: string; detail: string; action: ReactNode; testId?: string }) {
  const { token } = theme.useToken();
  return (
    <Flex vertical align="center" style={{ padding: '48px 32px', textAlign: 'center' }} data-testid={props.testId}>
      <div style={{ fontSize: 72, lineHeight: 1, marginBottom: 24 }}>{props.icon}</div>
      <h3
        style={{
          margin: 0,
          fontFamily: token.fontFamily,
          fontWeight: 400,
          fontSize: token.fontSizeHeading3,
          lineHeight: token.lineHeightHeading3,
          color: token.colorTextHeading,
        }}
      >
        {props.title}
      </h3>
      <span
        style={{
          marginTop: 4,
          fontFamily: token.fontFamily,
          fontSize: token.fontSize,
          lineHeight: token.lineHeight,
          color: token.colorTextDescription,
        }}
      >
        {props.detail}
      </span>
      <div style={{ marginTop: 24 }}>{props.action}</div>
    </Flex>
  );
}

/** A page's code could not be loaded: say so in words a user understands and offer the reload that fixes it. */
export function ChunkLoadResult() {
  const t = useT();
  return (
    <PlainResult
      icon={<WarningFilled style={{ color: '#faad14' }} />}
      title={t('result.chunkTitle')}
      detail={t('result.chunk')}
      testId="chunk-load-error"
      action={
        <Button type="primary" icon={<ReloadOutlined />} onClick={() => window.location.reload()}>
          {t('result.reload')}
        </Button>
      }
    />
  );
}

/** Something failed before a page could show (the session could not be read, a page threw): the error and a retry. */
export function ErrorNotice({ detail, onRetry }: { detail?: string; onRetry: () => void }) {
  const t = useT();
  return (
    <PlainResult
      icon={<CloseCircleFilled style={{ color: '#ff4d4f' }} />}
      title={t('result.errorTitle')}
      detail={detail ?? t('result.error')}
      action={<Button onClick={onRetry}>{t('common.retry')}</Button>}
    />
  );
}

/** The error element of every route: a page that threw, or whose code could not be loaded. */
export function RouteError() {
  const error = useRouteError();
  const t = useT();
  if (isChunkLoadError(error)) return <ChunkLoadResult />;
  return (
    <ErrorNotice
      detail={error instanceof Error ? errorText(t, error) : undefined}
      onRetry={() => window.location.reload()}
    />
  );
}
