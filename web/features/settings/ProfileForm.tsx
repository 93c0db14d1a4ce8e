import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Form, Input, Select, Typography } from 'antd';
import { useEffect } from 'react';
import { useWrite } from '../../api/queries';
import { authApi } from '../../api/resources';
import { storeMe, useMe } from '../../auth/session';
import { useFormSubmitError, type FormFields } from '../../components/errors';
import { useRules } from '../../components/rules';
import { LANGUAGE_NAMES, LOCALES, translateIn, useLocale, useT, type Locale } from '../../i18n';

type Values = { displayName: string; locale: Locale };
const FIELDS: FormFields = { names: ['displayName', 'locale'] };

export function ProfileForm() {
  const t = useT();
  const me = useMe();
  const { setLocale } = useLocale();
  const rules = useRules();
  const [form] = Form.useForm<Values>();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const onError = useFormSubmitError(form, FIELDS);
  const save = useWrite(authApi.updateMe, []);

  // The header's language switch changes the same setting.
  useEffect(() => form.setFieldValue('locale', me.user.locale), [form, me.user.locale]);

  const submit = async (values: Values) => {
    try {
      const next = await save.mutateAsync(values);
      setLocale(next.user.locale);
      storeMe(queryClient, next);
      void message.success(translateIn(next.user.locale)('common.saved'));
    } catch (error) {
      onError(error);
    }
  };

  return (
    <>
      <Typography.Paragraph type="secondary">{t('settings.profileHint')}</Typography.Paragraph>
      <Form<Values>
        form={form}
        layout="vertical"
        name="profile"
        onFinish={submit}
        initialValues={{ displayName: me.user.displayName, locale: me.user.locale }}
        style={{ maxWidth: 420 }}
      >
        <Form.Item label={t('user.username')}>
          <Input value={me.user.username} disabled />
        </Form.Item>
        <Form.Item
          name="displayName"
          label={t('user.displayName')}
          rules={[rules.required('user.displayName'), { max: 50 }]}
        >
          <Input autoComplete="name" />
        </Form.Item>
        <Form.Item name="locale" label={t('user.locale')}>
          <Select options={LOCALES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }))} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={save.isPending}>
          {t('common.save')}
        </Button>
      </Form>
    </>
  );
}
