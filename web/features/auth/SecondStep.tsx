import { SafetyOutlined } from '@ant-design/icons';
import { Button, theme } from 'antd';
// Input alone: `Input` from 'antd' brings its Search, TextArea and OTP along (the sign-in page loads little).
import Input from 'antd/es/input/Input';
import { useState, type FormEvent } from 'react';
import type { Me, TwoFactorNeeded } from '../../../common/schemas/auth';
import { ApiError } from '../../api/client';
import { authApi } from '../../api/resources';
import { errorText } from '../../components/error-text';
import { useT } from '../../i18n';

/** The secret in groups of four, easier to type into an app by hand. */
const grouped = (secret: string) => secret.replace(/(.{4})/g, '$1 ').trim();

/**
 * The sign-in's second step, after a right password: a code from the authenticator app (or a recovery
 * code), or — when the role requires two-step verification and the person has none yet — enrolment: the
 * QR code and the secret to type, a code to confirm, then the recovery codes to save (shown once).
 */
export function SecondStep(props: {
  owed: TwoFactorNeeded;
  onSignedIn: (me: Me) => Promise<void>;
  onRestart: (reason: string | null) => void;
}) {
  const t = useT();
  const { token } = theme.useToken();
  const { owed } = props;
  const [useRecovery, setUseRecovery] = useState(false);
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [saved, setSaved] = useState<{ me: Me; codes: string[] } | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const typed = value.trim();
    if (!typed) {
      setError(t(useRecovery ? 'twoFactor.recoveryRequired' : 'twoFactor.codeRequired'));
      return;
    }
    setSubmitting(true);
    setError(null);
    try {
      const answer = await authApi.loginTwoFactor(
        useRecovery ? { challenge: owed.challenge, recoveryCode: typed } : { challenge: owed.challenge, code: typed },
      );
      const { recoveryCodes, ...me } = answer;
      if (recoveryCodes) {
        setSaved({ me, codes: recoveryCodes });
        setSubmitting(false);
      } else await props.onSignedIn(me);
    } catch (e) {
      setSubmitting(false);
      if (e instanceof ApiError && e.code === 'LOGIN_CHALLENGE_EXPIRED') {
        props.onRestart(errorText(t, e));
        return;
      }
      setValue('');
      setError(errorText(t, e));
    }
  };

  const hint = { margin: '0 0 12px', lineHeight: token.lineHeight, color: token.colorTextSecondary };

  if (saved)
    return (
      <div data-testid="two-factor-recovery-codes">
        <p style={hint}>{t('twoFactor.recoveryCodesHint')}</p>
        <RecoveryCodeList codes={saved.codes} />
        <Button
          type="primary"
          block
          size="large"
          style={{ marginTop: 16 }}
          onClick={() => void props.onSignedIn(saved.me)}
        >
          {t('twoFactor.savedContinue')}
        </Button>
      </div>
    );

  return (
    <form onSubmit={(event) => void submit(event)} data-testid="two-factor-step">
      {owed.twoFactor === 'enrol' ? (
        <>
          <p style={hint}>{t('twoFactor.enrolRequiredHint')}</p>
          <EnrolmentCode qrSvg={owed.qrSvg} secret={owed.secret} />
        </>
      ) : (
        <p style={hint}>{t(useRecovery ? 'twoFactor.recoveryHint' : 'twoFactor.codeHint')}</p>
      )}
      {error && (
        <div role="alert" data-testid="two-factor-error" style={{ marginBottom: 12, color: token.colorError }}>
          {error}
        </div>
      )}
      <label htmlFor="two-factor-code" style={{ display: 'block', paddingBottom: token.paddingXS }}>
        {t(useRecovery ? 'twoFactor.recoveryCode' : 'twoFactor.code')}
      </label>
      <Input
        id="two-factor-code"
        size="large"
        prefix={<SafetyOutlined />}
        value={value}
        onChange={(event) => setValue(event.target.value)}
        disabled={submitting}
        autoFocus
        autoComplete={useRecovery ? 'off' : 'one-time-code'}
        inputMode={useRecovery ? 'text' : 'numeric'}
        maxLength={useRecovery ? 20 : 7}
        placeholder={useRecovery ? 'xxxxx-xxxxx' : '123456'}
        status={error ? 'error' : undefined}
        style={{ marginBottom: 16 }}
      />
      <Button type="primary" htmlType="submit" block size="large" loading={submitting} data-testid="two-factor-submit">
        {t(owed.twoFactor === 'enrol' ? 'twoFactor.confirm' : 'twoFactor.verify')}
      </Button>
      <div style={{ display: 'flex', justifyContent: 'space-between', flexWrap: 'wrap', marginTop: 12 }}>
        <Button type="link" style={{ paddingInline: 0 }} onClick={() => props.onRestart(null)}>
          {t('twoFactor.back')}
        </Button>
        {owed.twoFactor === 'code' && (
          <Button
            type="link"
            style={{ paddingInline: 0 }}
            onClick={() => {
              setUseRecovery((current) => !current);
              setValue('');
              setError(null);
            }}
          >
            {t(useRecovery ? 'twoFactor.useCode' : 'twoFactor.useRecovery')}
          </Button>
        )}
      </div>
    </form>
  );
}

/** The QR code to scan and, for typing by hand, the secret. */
export function EnrolmentCode(props: { qrSvg: string; secret: string }) {
  const t = useT();
  const { token } = theme.useToken();
  return (
    <div style={{ display: 'flex', flexDirection: 'column', alignItems: 'center', marginBottom: 16 }}>
      <img
        src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(props.qrSvg)}`}
        alt={t('twoFactor.qrAlt')}
        data-testid="two-factor-qr"
        style={{ width: 180, height: 180, maxWidth: '100%', background: '#fff' }}
      />
      <div style={{ marginTop: 8, fontSize: token.fontSizeSM, color: token.colorTextSecondary }}>
        {t('twoFactor.secretLabel')}
      </div>
      <code
        data-testid="two-factor-secret"
        style={{ fontSize: token.fontSize, letterSpacing: 1, wordBreak: 'break-all', textAlign: 'center' }}
      >
        {grouped(props.secret)}
      </code>
    </div>
  );
}

/** Recovery codes, two to a row, to write down or copy. */
export function RecoveryCodeList(props: { codes: string[] }) {
  const t = useT();
  const { token } = theme.useToken();
  const [copied, setCopied] = useState(false);
  return (
    <div>
      <ol
        data-testid="recovery-code-list"
        style={{
          display: 'grid',
          gridTemplateColumns: 'repeat(2, minmax(0, 1fr))',
          gap: '4px 16px',
          margin: 0,
          padding: '12px 12px 12px 32px',
          background: token.colorFillTertiary,
          borderRadius: token.borderRadius,
          fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
        }}
      >
        {props.codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ol>
      <Button
        type="link"
        style={{ paddingInline: 0 }}
        onClick={() =>
          void navigator.clipboard
            ?.writeText(props.codes.join('\n'))
            .then(() => setCopied(true))
            .catch(() => setCopied(false))
        }
      >
        {t(copied ? 'twoFactor.copied' : 'twoFactor.copy')}
      </Button>
    </div>
  );
}
