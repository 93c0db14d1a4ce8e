import { Alert, App, Flex, Form, Input, Switch } from 'antd';
import { FormDrawer } from '../../components/FormDrawer';
import { useEffect } from 'react';
import type { Grants } from '../../../common/permissions';
import { RoleCreate, type Role } from '../../../common/schemas/staff';
import { useWrite } from '../../api/queries';
import { rolesApi, usersApi } from '../../api/resources';
import { ME_KEY } from '../../auth/session';
import { useFormSubmitError, type FormFields } from '../../components/errors';
import { roleDescription, roleLabel } from '../../components/labels';
import { useRules } from '../../components/rules';
import { useLocale, useT } from '../../i18n';
import { GrantsMatrix } from './GrantsMatrix';

type Values = { code: string; name: string; description?: string; grants: Grants; requiresTwoFactor?: boolean };
const FIELDS: FormFields = { names: ['code', 'name', 'description', 'grants', 'requiresTwoFactor'] };

/** Creates a role (role = null) or edits one; built-in roles keep their code. */
export function RoleFormDrawer({ open, role, onClose }: { open: boolean; role: Role | null; onClose: () => void }) {
  const t = useT();
  const { locale } = useLocale();
  const rules = useRules();
  const [form] = Form.useForm<Values>();
  const { message } = App.useApp();
  const onError = useFormSubmitError(form, FIELDS);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(
      role
        ? {
            code: role.code,
            name: role.name,
            description: role.description ?? undefined,
            grants: role.grants,
            requiresTwoFactor: role.requiresTwoFactor,
          }
        : { grants: {}, requiresTwoFactor: false },
    );
  }, [open, role, form]);

  // Role names show on users, and the signed-in user's own grants may have changed.
  const save = useWrite(
    (values: Values) => {
      const fields = {
        name: values.name,
        description: values.description || null,
        grants: values.grants ?? {},
        requiresTwoFactor: values.requiresTwoFactor ?? false,
      };
      return role ? rolesApi.update(role.id, fields) : rolesApi.create({ ...fields, code: values.code });
    },
    [rolesApi.path, usersApi.path, ME_KEY[0]],
  );

  const submit = async (values: Values) => {
    try {
      await save.mutateAsync(values);
      void message.success(t(role ? 'common.saved' : 'common.created'));
      onClose();
    } catch (error) {
      onError(error);
    }
  };

  return (
    <FormDrawer
      open={open}
      onClose={onClose}
      width={720}
      title={role ? t('role.editTitle', { name: roleLabel(t, locale, role) }) : t('role.createTitle')}
      onSave={() => form.submit()}
      saving={save.isPending}
    >
      {role?.builtin && <Alert type="info" showIcon title={t('role.builtinHint')} style={{ marginBottom: 16 }} />}
      <Form<Values> form={form} layout="vertical" onFinish={submit} name="role">
        <Flex gap={16}>
          <Form.Item
            name="code"
            label={t('role.code')}
            extra={role ? undefined : t('role.codeHelp')}
            rules={role ? [] : [rules.required('role.code'), rules.schema(RoleCreate.shape.code)]}
            style={{ flex: 1 }}
          >
            <Input disabled={role !== null} autoComplete="off" />
          </Form.Item>
          <Form.Item
            name="name"
            label={t('role.name')}
            rules={[rules.required('role.name'), { max: 50 }]}
            style={{ flex: 1 }}
          >
            <Input autoComplete="off" placeholder={role?.builtin ? roleLabel(t, locale, role) : undefined} />
          </Form.Item>
        </Flex>
        <Form.Item name="description" label={t('common.description')} rules={[{ max: 200 }]}>
          <Input.TextArea rows={2} placeholder={role ? roleDescription(t, locale, role) : undefined} />
        </Form.Item>
        <Form.Item
          name="requiresTwoFactor"
          label={t('twoFactor.roleRequires')}
          valuePropName="checked"
          extra={t('twoFactor.roleRequiresHint')}
        >
          <Switch data-testid="role-requires-two-factor" />
        </Form.Item>
        <Form.Item name="grants" label={t('role.grants')}>
          <GrantsMatrix />
        </Form.Item>
      </Form>
    </FormDrawer>
  );
}
