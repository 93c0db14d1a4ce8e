import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Flex, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { Navigate, useLocation } from 'react-router';
import type { Me } from '../../../common/schemas/auth';
import { setCsrfToken } from '../../api/client';
import { authApi } from '../../api/resources';
import { storeMe, useSession } from '../../auth/session';
import { errorText } from '../../components/error-text';
import { LanguageSwitch } from '../../components/LanguageSwitch';
import { Logo } from '../../components/Logo';
import { FullPageSpin } from '../../components/FullPageSpin';
import { useDocumentTitle } from '../../components/document-title';
import { useLocale, useT, type Locale } from '../../i18n';

type Values = { username: string; password: string };

export function LoginPage() {
  const t = useT();
  const { setLocale } = useLocale();
  const location = useLocation();
  const queryClient = useQueryClient();
  const session = useSession();
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  // A language picked here, before signing in, becomes the user's saved preference.
  const [pickedLocale, setPickedLocale] = useState<Locale | null>(null);
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  useDocumentTitle(t('login.title'));

  if (session.isPending) return <FullPageSpin />;
  if (session.data) return <Navigate to={from} replace />;

  const submit = async (values: Values) => {
    setSubmitting(true);
    setError(null);
    let me: Me;
    try {
      me = await authApi.login(values);
    } catch (e) {
      setError(errorText(t, e));
      setSubmitting(false);
      return;
    }
    if (pickedLocale && pickedLocale !== me.user.locale) {
      setCsrfToken(me.csrfToken);
      const current = me;
      // Saving the preference is a nicety: signing in has worked either way.
      me = await authApi.updateMe({ locale: pickedLocale }).catch(() => current);
    }
    // The session is now known: this page re-renders into a redirect to where the user was going.
    storeMe(queryClient, me);
  };

  const pickLocale = (next: Locale) => {
    setPickedLocale(next);
    setLocale(next);
  };

  return (
    <Flex vertical style={{ minHeight: '100vh', background: 'linear-gradient(160deg, #eef3fb 0%, #f7f8fa 60%)' }}>
      <Flex justify="flex-end" style={{ padding: '12px 24px' }}>
        <LanguageSwitch onSelect={pickLocale} />
      </Flex>
      <Flex flex={1} align="center" justify="center" style={{ padding: '24px 16px 80px' }}>
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
          <Flex vertical align="center" gap={4} style={{ marginBottom: 24 }}>
            <Logo size={44} />
            <Typography.Title level={2} style={{ margin: '8px 0 0' }}>
              {t('app.fullName')}
            </Typography.Title>
            <Typography.Text type="secondary">{t('app.tagline')}</Typography.Text>
          </Flex>
          <Typography.Title level={4} style={{ marginTop: 0 }}>
            {t('login.title')}
          </Typography.Title>
          {error && (
            <Alert
              type="error"
              showIcon
              title={error}
              style={{ marginBottom: 16 }}
              role="alert"
              data-testid="login-error"
            />
          )}
          <Form<Values> layout="vertical" requiredMark={false} onFinish={submit} disabled={submitting}>
            <Form.Item
              name="username"
              label={t('login.username')}
              rules={[{ required: true, whitespace: true, message: t('login.usernameRequired') }]}
            >
              <Input prefix={<UserOutlined />} autoComplete="username" autoFocus size="large" />
            </Form.Item>
            <Form.Item
              name="password"
              label={t('login.password')}
              rules={[{ required: true, message: t('login.passwordRequired') }]}
            >
              <Input.Password prefix={<LockOutlined />} autoComplete="current-password" size="large" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block size="large" loading={submitting}>
              {t('login.submit')}
            </Button>
          </Form>
          <Typography.Paragraph
            type="secondary"
            style={{ marginTop: 16, marginBottom: 0, textAlign: 'center', fontSize: 12 }}
          >
            {t('login.footer')}
          </Typography.Paragraph>
        </div>
      </Flex>
    </Flex>
  );
}
