import { useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Descriptions, Input, Space, Spin, Tag, Typography } from 'antd';
import { useState, type FormEvent } from 'react';
import type { TwoFactorEnrolment } from '../../../common/schemas/auth';
import { useWrite } from '../../api/queries';
import { twoFactorApi, usersApi } from '../../api/resources';
import { errorText } from '../../components/error-text';
import { formatDateTime } from '../../components/format';
import { useLocale, useT } from '../../i18n';
import { EnrolmentCode, RecoveryCodeList } from '../auth/SecondStep';

/** A six-digit code typed for an action, with its submit button. */
function CodeForm(props: {
  label: string;
  submitLabel: string;
  danger?: boolean;
  pending: boolean;
  error: string | null;
  onSubmit: (code: string) => void;
  onCancel?: () => void;
}) {
  const t = useT();
  const [code, setCode] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (code.trim()) props.onSubmit(code.trim());
  };
  return (
    <form onSubmit={submit} style={{ maxWidth: 360 }}>
      <label htmlFor="two-factor-settings-code" style={{ display: 'block', marginBottom: 4 }}>
        {props.label}
      </label>
      <Input
        id="two-factor-settings-code"
        value={code}
        onChange={(event) => setCode(event.target.value)}
        inputMode="numeric"
        autoComplete="one-time-code"
        maxLength={7}
        placeholder="123456"
        status={props.error ? 'error' : undefined}
        autoFocus
      />
      {props.error && (
        <Typography.Text type="danger" role="alert" style={{ display: 'block', marginTop: 4 }}>
          {props.error}
        </Typography.Text>
      )}
      <Space wrap style={{ marginTop: 12 }}>
        <Button type="primary" danger={props.danger} htmlType="submit" loading={props.pending} disabled={!code.trim()}>
          {props.submitLabel}
        </Button>
        {props.onCancel && <Button onClick={props.onCancel}>{t('common.cancel')}</Button>}
      </Space>
    </form>
  );
}

/**
 * 两步验证 in one's settings: turn it on (QR code or secret, a code to confirm, recovery codes to save),
 * make new recovery codes, or turn it off — both with a code; off is refused while one's role requires it.
 */
export function TwoFactorPanel() {
  const t = useT();
  const { locale } = useLocale();
  const { message } = App.useApp();
  const status = useQuery({ queryKey: [twoFactorApi.path], queryFn: twoFactorApi.status });
  const [enrolment, setEnrolment] = useState<TwoFactorEnrolment | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [action, setAction] = useState<'regenerate' | 'disable' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const invalidates = [twoFactorApi.path, usersApi.path];
  const start = useWrite(twoFactorApi.enrol, []);
  const confirm = useWrite(twoFactorApi.confirm, invalidates);
  const regenerate = useWrite(twoFactorApi.regenerate, invalidates);
  const disable = useWrite(twoFactorApi.disable, invalidates);

  if (status.isPending) return <Spin />;
  if (status.isError) return <Alert type="error" showIcon message={errorText(t, status.error)} />;
  const s = status.data;

  if (codes)
    return (
      <div style={{ maxWidth: 480 }} data-testid="two-factor-recovery-codes">
        <Alert type="warning" showIcon message={t('twoFactor.recoveryCodesHint')} style={{ marginBottom: 12 }} />
        <RecoveryCodeList codes={codes} />
        <Button type="primary" style={{ marginTop: 12 }} onClick={() => setCodes(null)}>
          {t('twoFactor.savedDone')}
        </Button>
      </div>
    );

  if (!s.enabled) {
    if (enrolment)
      return (
        <div style={{ maxWidth: 480 }}>
          <Typography.Paragraph>{t('twoFactor.enrolHint')}</Typography.Paragraph>
          <EnrolmentCode qrSvg={enrolment.qrSvg} secret={enrolment.secret} />
          <CodeForm
            label={t('twoFactor.code')}
            submitLabel={t('twoFactor.confirm')}
            pending={confirm.isPending}
            error={error}
            onCancel={() => {
              setEnrolment(null);
              setError(null);
            }}
            onSubmit={(code) =>
              confirm
                .mutateAsync(code)
                .then((answer) => {
                  setEnrolment(null);
                  setError(null);
                  setCodes(answer.recoveryCodes);
                  void message.success(t('twoFactor.enabled'));
                })
                .catch((e: unknown) => setError(errorText(t, e)))
            }
          />
        </div>
      );
    return (
      <div style={{ maxWidth: 560 }}>
        {s.required && (
          <Alert type="info" showIcon message={t('twoFactor.requiredByRole')} style={{ marginBottom: 12 }} />
        )}
        <Typography.Paragraph>{t('twoFactor.offHint')}</Typography.Paragraph>
        <Button
          type="primary"
          loading={start.isPending}
          data-testid="two-factor-start"
          onClick={() =>
            start
              .mutateAsync(undefined)
              .then((answer) => {
                setError(null);
                setEnrolment(answer);
              })
              .catch((e: unknown) => void message.error(errorText(t, e)))
          }
        >
          {t('twoFactor.turnOn')}
        </Button>
      </div>
    );
  }

  return (
    <div style={{ maxWidth: 560 }}>
      <Descriptions column={1} size="small" style={{ marginBottom: 16 }}>
        <Descriptions.Item label={t('twoFactor.status')}>
          <Space wrap>
            <Tag color="green" data-testid="two-factor-on">
              {t('twoFactor.on')}
            </Tag>
            {s.required && <Tag>{t('twoFactor.requiredTag')}</Tag>}
          </Space>
        </Descriptions.Item>
        {s.enabledAt && (
          <Descriptions.Item label={t('twoFactor.enabledAt')}>{formatDateTime(s.enabledAt, locale)}</Descriptions.Item>
        )}
        <Descriptions.Item label={t('twoFactor.recoveryLeft')}>{s.recoveryCodesLeft}</Descriptions.Item>
      </Descriptions>
      {action ? (
        <CodeForm
          key={action}
          label={t(action === 'disable' ? 'twoFactor.codeToDisable' : 'twoFactor.codeToRegenerate')}
          submitLabel={t(action === 'disable' ? 'twoFactor.turnOff' : 'twoFactor.regenerate')}
          danger={action === 'disable'}
          pending={regenerate.isPending || disable.isPending}
          error={error}
          onCancel={() => {
            setAction(null);
            setError(null);
          }}
          onSubmit={(code) => {
            const done =
              action === 'disable'
                ? disable.mutateAsync(code).then(() => void message.success(t('twoFactor.disabled')))
                : regenerate.mutateAsync(code).then((answer) => setCodes(answer.recoveryCodes));
            done
              .then(() => {
                setAction(null);
                setError(null);
              })
              .catch((e: unknown) => setError(errorText(t, e)));
          }}
        />
      ) : (
        <Space wrap>
          <Button onClick={() => setAction('regenerate')}>{t('twoFactor.regenerate')}</Button>
          <Button danger disabled={s.required} onClick={() => setAction('disable')} data-testid="two-factor-turn-off">
            {t('twoFactor.turnOff')}
          </Button>
        </Space>
      )}
      {s.required && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
          {t('twoFactor.requiredNoOff')}
        </Typography.Paragraph>
      )}
    </div>
  );
}
