import { Button, Flex, Result, Spin } from 'antd';
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
    <Result
      status="403"
      title={t('result.forbiddenTitle')}
      subTitle={t('result.forbidden')}
      extra={<BackHome />}
    />
  );
}

export function NotFoundResult() {
  const t = useT();
  return (
    <Result
      status="404"
      title={t('result.notFoundTitle')}
      subTitle={t('result.notFound')}
      extra={<BackHome />}
    />
  );
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

export function FullPageSpin() {
  return (
    <Flex align="center" justify="center" style={{ minHeight: '100vh' }}>
      <Spin size="large" />
    </Flex>
  );
}
