import { CloseCircleFilled, LockOutlined, UserOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Button, Spin, theme } from 'antd';
// Input and Input.Password alone: `Input` from 'antd' brings its Search, TextArea and OTP along.
import Input from 'antd/es/input/Input';
import Password from 'antd/es/input/Password';
import { lazy, Suspense, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import type { Me, TwoFactorNeeded } from '../../../common/schemas/auth';
import { setCsrfToken } from '../../api/client';
import { authApi } from '../../api/resources';
import { storeMe, useSession } from '../../auth/session';
import { errorText } from '../../components/error-text';
import { LanguageSelect } from '../../components/LanguageSelect';
import { Logo } from '../../components/Logo';
import { FullPageSpin } from '../../components/FullPageSpin';
import { useDocumentTitle } from '../../components/document-title';
import { useLocale, useT, type Locale, type WebMessageKey } from '../../i18n';

/**
 * The second step (a code from the authenticator app, or enrolment) is a chunk of its own: most people never see it,
 * and what it draws (the QR code, the recovery codes) would weigh on every sign-in. Its loading starts with the
 * password's check; a chunk that fails to load goes to the route's error element, which offers a reload.
 */
const loadSecondStep = () => import('./SecondStep');
const SecondStep = lazy(() => loadSecondStep().then((m) => ({ default: m.SecondStep })));

type Values = { username: string; password: string };
type Field = keyof Values;

/** The message of a field that cannot be sent as it is: a username of spaces alone counts as none. */
function problem(field: Field, value: string): WebMessageKey | undefined {
  if (field === 'username') return value.trim() ? undefined : 'login.usernameRequired';
  return value ? undefined : 'login.passwordRequired';
}

/**
 * A labelled field with its message under it, drawn as antd's vertical Form draws one (the sign-in page
 * does without the Form and its validation library): the label, the input, then the message in the
 * field's bottom margin, announced when it appears.
 */
function LabelledField(props: { id: string; label: string; error?: string; children: ReactNode }) {
  const { token } = theme.useToken();
  return (
    <div style={{ marginBottom: props.error ? 0 : token.marginLG }}>
      <label
        htmlFor={props.id}
        style={{
          display: 'block',
          paddingBottom: token.paddingXS,
          lineHeight: token.lineHeight,
          color: token.colorText,
        }}
      >
        {props.label}
      </label>
      {props.children}
      {props.error && (
        <div
          id={`${props.id}-error`}
          role="alert"
          style={{ minHeight: token.controlHeightSM, lineHeight: token.lineHeight, color: token.colorError }}
        >
          {props.error}
        </div>
      )}
    </div>
  );
}

export function LoginPage() {
  const t = useT();
  const { setLocale } = useLocale();
  const { token } = theme.useToken();
  const location = useLocation();
  const queryClient = useQueryClient();
  const session = useSession();
  const [values, setValues] = useState<Values>({ username: '', password: '' });
  // Checked as antd's Form checks: on every change of a field, and every field on submitting.
  const [problems, setProblems] = useState<Partial<Record<Field, WebMessageKey>>>({});
  const inputs = useRef<Partial<Record<Field, HTMLInputElement | null>>>({});
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  // A language picked here, before signing in, becomes the user's saved preference.
  const [pickedLocale, setPickedLocale] = useState<Locale | null>(null);
  // A right password with a second factor owed: the code (or enrolment) step, in place of the form.
  const [owed, setOwed] = useState<TwoFactorNeeded | null>(null);
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  useDocumentTitle(t('login.title'));
  // Refused (or not answered): back in the password, to try again at once.
  useEffect(() => {
    if (error) inputs.current.password?.focus();
  }, [error]);

  if (session.isPending) return <FullPageSpin />;
  if (session.data) return <Navigate to={from} replace />;

  const change = (field: Field, value: string) => {
    setValues((current) => ({ ...current, [field]: value }));
    setProblems((current) => ({ ...current, [field]: problem(field, value) }));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = { username: problem('username', values.username), password: problem('password', values.password) };
    setProblems(found);
    const first = (['username', 'password'] as const).find((field) => found[field]);
    if (first) {
      inputs.current[first]?.focus();
      return;
    }
    setSubmitting(true);
    setError(null);
    loadSecondStep().catch(() => {}); // fetched meanwhile, in case the answer asks for it (a failure shows when it renders)
    let answer: Awaited<ReturnType<typeof authApi.login>>;
    try {
      answer = await authApi.login(values);
    } catch (e) {
      setError(errorText(t, e));
      setSubmitting(false);
      return;
    }
    if ('twoFactor' in answer) {
      setOwed(answer);
      setSubmitting(false);
      return;
    }
    await finish(answer);
  };

  /** Signed in: saves a language picked here, then stores the session (the page becomes a redirect). */
  const finish = async (signedIn: Me) => {
    let me = signedIn;
    if (pickedLocale && pickedLocale !== me.user.locale) {
      setCsrfToken(me.csrfToken);
      const current = me;
      // Saving the preference is a nicety: signing in has worked either way.
      me = await authApi.updateMe({ locale: pickedLocale }).catch(() => current);
    }
    // The session is now known: this page re-renders into a redirect to where the user was going.
    storeMe(queryClient, me);
  };

  /** The challenge expired or died: back to the password, with the reason. */
  const restart = (reason: string | null) => {
    setOwed(null);
    setValues((current) => ({ ...current, password: '' }));
    setError(reason);
  };

  const pickLocale = (next: Locale) => {
    setPickedLocale(next);
    setLocale(next);
  };

  /** What a field's input needs to show and announce its problem. */
  const fieldProps = (field: Field) => ({
    id: `login-${field}`,
    value: values[field],
    onChange: (event: { target: { value: string } }) => change(field, event.target.value),
    ref: (input: { input: HTMLInputElement | null } | null) => {
      inputs.current[field] = input?.input;
    },
    size: 'large' as const,
    disabled: submitting,
    status: problems[field] ? ('error' as const) : undefined,
    'aria-required': true,
    'aria-invalid': problems[field] ? true : undefined,
    'aria-describedby': problems[field] ? `login-${field}-error` : undefined,
  });

  return (
    <div
      style={{
        display: 'flex',
        flexDirection: 'column',
        minHeight: '100vh',
        background: 'linear-gradient(160deg, #eef3fb 0%, #f7f8fa 60%)',
        fontSize: token.fontSize,
        color: token.colorText,
      }}
    >
      <div style={{ display: 'flex', justifyContent: 'flex-end', padding: '12px 24px', fontFamily: token.fontFamily }}>
        <LanguageSelect onSelect={pickLocale} />
      </div>
      <main
        style={{ flex: 1, display: 'flex', alignItems: 'center', justifyContent: 'center', padding: '24px 16px 80px' }}
      >
        {/* A card drawn here, not antd's Card (which brings its tabs along): the sign-in page loads little. */}
        <div
          style={{
            width: 400,
            maxWidth: '100%',
            boxSizing: 'border-box',
            padding: 24,
            background: '#fff',
            border: '1px solid #f0f0f0',
            borderRadius: 8,
            boxShadow: '0 8px 24px rgba(31, 95, 191, 0.08)',
          }}
        >
          <div style={{ display: 'flex', flexDirection: 'column', alignItems: 'center', marginBottom: 24 }}>
            <Logo size={44} />
            <h1
              style={{
                margin: '12px 0 4px',
                fontFamily: token.fontFamily,
                fontSize: token.fontSizeHeading2,
                lineHeight: token.lineHeightHeading2,
                fontWeight: token.fontWeightStrong,
                color: token.colorTextHeading,
              }}
            >
              {t('app.fullName')}
            </h1>
            <span
              style={{ fontFamily: token.fontFamily, lineHeight: token.lineHeight, color: token.colorTextDescription }}
            >
              {t('app.tagline')}
            </span>
          </div>
          {/* The text as antd's Typography and Form draw it (the mark above keeps the page's font). */}
          <div style={{ fontFamily: token.fontFamily }}>
            <h2
              style={{
                margin: '0 0 0.5em',
                fontSize: token.fontSizeHeading4,
                lineHeight: token.lineHeightHeading4,
                fontWeight: token.fontWeightStrong,
                color: token.colorTextHeading,
              }}
            >
              {t(owed ? (owed.twoFactor === 'enrol' ? 'twoFactor.enrolTitle' : 'twoFactor.codeTitle') : 'login.title')}
            </h2>
            {error && !owed && (
              // Drawn as antd's error Alert with its icon (the Alert would bring its other kinds and icons along).
              <div
                role="alert"
                data-testid="login-error"
                style={{
                  display: 'flex',
                  alignItems: 'center',
                  gap: token.marginXS,
                  marginBottom: 16,
                  padding: `${token.paddingXS}px ${token.paddingSM}px`,
                  background: token.colorErrorBg,
                  border: `${token.lineWidth}px solid ${token.colorErrorBorder}`,
                  borderRadius: token.borderRadiusLG,
                }}
              >
                <CloseCircleFilled style={{ color: token.colorError }} />
                <span style={{ lineHeight: token.lineHeight }}>{error}</span>
              </div>
            )}
            {owed ? (
              <Suspense
                fallback={
                  <div style={{ textAlign: 'center', padding: token.paddingLG }}>
                    <Spin />
                  </div>
                }
              >
                <SecondStep owed={owed} onSignedIn={finish} onRestart={restart} />
              </Suspense>
            ) : (
              <form onSubmit={(event) => void submit(event)}>
                <LabelledField
                  id="login-username"
                  label={t('login.username')}
                  error={problems.username && t(problems.username)}
                >
                  <Input {...fieldProps('username')} prefix={<UserOutlined />} autoComplete="username" autoFocus />
                </LabelledField>
                <LabelledField
                  id="login-password"
                  label={t('login.password')}
                  error={problems.password && t(problems.password)}
                >
                  <Password {...fieldProps('password')} prefix={<LockOutlined />} autoComplete="current-password" />
                </LabelledField>
                <Button type="primary" htmlType="submit" block size="large" loading={submitting}>
                  {t('login.submit')}
                </Button>
              </form>
            )}
            <p
              style={{
                margin: '16px 0 0',
                textAlign: 'center',
                fontSize: token.fontSizeSM,
                lineHeight: token.lineHeight,
                color: token.colorTextDescription,
              }}
            >
              {t('login.footer')}
            </p>
          </div>
        </div>
      </main>
    </div>
  );
}
