import { useT } from '../../i18n';
import { App, Button, Checkbox, Form, Input, Typography } from 'antd';
import { Password } from '../../../common/schemas/staff';
import { useWrite } from '../../api/queries';
import { apiTokensApi, authApi } from '../../api/resources';
import { useFormSubmitError, type FormFields } from '../../components/errors';
import { useRules } from '../../components/rules';

type Values = { currentPassword: string; newPassword: string; confirm: string; keepApiTokens: boolean };
const FIELDS: FormFields = { names: ['currentPassword', 'newPassword'], codes: { WRONG_PASSWORD: 'currentPassword' } };

export function PasswordForm() {
  const t = useT();
  const rules = useRules();
  const [form] = Form.useForm<Values>();
  const { message } = App.useApp();
  const onError = useFormSubmitError(form, FIELDS);
  // My token list changes when the tokens are revoked with the password.
  const change = useWrite(authApi.changePassword, [apiTokensApi.path]);

  const submit = async ({ currentPassword, newPassword, keepApiTokens }: Values) => {
    try {
      await change.mutateAsync({ currentPassword, newPassword, keepApiTokens });
      form.resetFields();
      void message.success(t('settings.passwordChanged'));
    } catch (error) {
      onError(error);
    }
  };

  return (
    <>
      <Typography.Paragraph type="secondary">{t('settings.passwordHint')}</Typography.Paragraph>
      <Form<Values>
        form={form}
        layout="vertical"
        name="password"
        onFinish={submit}
        initialValues={{ keepApiTokens: false }}
        style={{ maxWidth: 420 }}
      >
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
        <Form.Item name="keepApiTokens" valuePropName="checked">
          <Checkbox>{t('settings.keepApiTokens')}</Checkbox>
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={change.isPending}>
          {t('settings.password')}
        </Button>
      </Form>
    </>
  );
}
