import { Alert, App, Form, Input, Modal } from 'antd';
import { Password, type User } from '../../../common/schemas/staff';
import { useWrite } from '../../api/queries';
import { usersApi } from '../../api/resources';
import { useFormSubmitError, type FormFields } from '../../components/errors';
import { useRules } from '../../components/rules';
import { useT } from '../../i18n';

const FIELDS: FormFields = { names: ['newPassword'] };

/** An administrator sets a new password for a user; the user's sessions and tokens end. */
export function ResetPasswordModal({ user, onClose }: { user: User | null; onClose: () => void }) {
  const t = useT();
  const rules = useRules();
  const [form] = Form.useForm<{ newPassword: string }>();
  const { message } = App.useApp();
  const onError = useFormSubmitError(form, FIELDS);
  const reset = useWrite(
    ({ id, newPassword }: { id: string; newPassword: string }) => usersApi.resetPassword(id, newPassword),
    [],
  );

  const submit = async ({ newPassword }: { newPassword: string }) => {
    if (!user) return;
    try {
      await reset.mutateAsync({ id: user.id, newPassword });
      void message.success(t('user.passwordReset'));
      onClose();
    } catch (error) {
      onError(error);
    }
  };

  return (
    <Modal
      open={user !== null}
      title={user ? t('user.resetPasswordTitle', { name: user.displayName }) : undefined}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('user.resetPassword')}
      confirmLoading={reset.isPending}
      destroyOnHidden
    >
      <Alert type="warning" showIcon title={t('user.resetPasswordHint')} style={{ marginBottom: 16 }} />
      <Form form={form} layout="vertical" onFinish={submit} name="reset-password" preserve={false}>
        <Form.Item
          name="newPassword"
          label={t('user.newPassword')}
          rules={[rules.required('user.newPassword'), rules.schema(Password)]}
        >
          <Input.Password autoComplete="new-password" autoFocus placeholder={t('user.passwordHelp')} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
