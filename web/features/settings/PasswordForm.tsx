import { App, Button, Form, Input, Typography } from 'antd';
import { Password } from '../../../common/schemas/staff';
import { useWrite } from '../../api/queries';
import { authApi } from '../../api/resources';
import { useFormSubmitError, type FormFields } from '../../components/errors';
import { useRules } from '../../components/rules';
import { useT } from '../../i18n';

type Values = { currentPassword: string; newPassword: string; confirm: string };
const FIELDS: FormFields = { names: ['currentPassword', 'newPassword'], codes: { WRONG_PASSWORD: 'currentPassword' } };

export function PasswordForm() {
  const t = useT();
  const rules = useRules();
  const [form] = Form.useForm<Values>();
  const { message } = App.useApp();
  const onError = useFormSubmitError(form, FIELDS);
  const change = useWrite(authApi.changePassword, []);

  const submit = async ({ currentPassword, newPassword }: Values) => {
    try {
      await change.mutateAsync({ currentPassword, newPassword });
      form.resetFields();
      void message.success(t('settings.passwordChanged'));
    } catch (error) {
      onError(error);
    }
  };

  return (
    <>
      <Typography.Paragraph type="secondary">{t('settings.passwordHint')}</Typography.Paragraph>
      <Form<Values> form={form} layout="vertical" name="password" onFinish={submit} style={{ maxWidth: 420 }}>
        <Form.Item
          name="currentPassword"
          label={t('settings.currentPassword')}
          rules={[rules.required('settings.currentPassword')]}
        >
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item
          name="newPassword"
          label={t('settings.newPassword')}
          rules={[rules.required('settings.newPassword'), rules.schema(Password)]}
        >
          <Input.Password autoComplete="new-password" placeholder={t('user.passwordHelp')} />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('settings.confirmPassword')}
          dependencies={['newPassword']}
          rules={[
            rules.required('settings.confirmPassword'),
            ({ getFieldValue }) => ({
              validator: async (_, value) => {
                if (value && value !== getFieldValue('newPassword')) throw new Error(t('settings.passwordMismatch'));
              },
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={change.isPending}>
          {t('settings.password')}
        </Button>
      </Form>
    </>
  );
}
