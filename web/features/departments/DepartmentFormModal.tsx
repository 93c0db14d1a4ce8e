import { App, Form, Input, InputNumber, Modal, Select } from 'antd';
import { useEffect, useMemo } from 'react';
import type { Department } from '../../../common/schemas/staff';
import { useAllDepartments, useAllUsers, useWrite } from '../../api/queries';
import { departmentsApi, usersApi } from '../../api/resources';
import { subtreeIds } from '../../components/department-tree';
import { DepartmentTreeSelect } from '../../components/DepartmentTreeSelect';
import { useFormSubmitError, type FormFields } from '../../components/errors';
import { useRules } from '../../components/rules';
import { useLocale, useT } from '../../i18n';
import { personLabel } from '../../components/labels';

type Values = { name: string; parentId?: string; managerId?: string; sortOrder?: number };

const FIELDS: FormFields = {
  names: ['name', 'parentId', 'managerId', 'sortOrder'],
  rename: { department: 'parentId', manager: 'managerId' },
};

/** What the modal is doing: creating (under an optional parent) or editing a department. */
export type DepartmentFormTarget =
  { mode: 'create'; parent: Department | null } | { mode: 'edit'; department: Department };

export function DepartmentFormModal({ target, onClose }: { target: DepartmentFormTarget | null; onClose: () => void }) {
  const t = useT();
  const { locale } = useLocale();
  const rules = useRules();
  const [form] = Form.useForm<Values>();
  const { message } = App.useApp();
  const onError = useFormSubmitError(form, FIELDS);
  const departments = useAllDepartments();
  const users = useAllUsers();
  const editing = target?.mode === 'edit' ? target.department : null;

  useEffect(() => {
    if (!target) return;
    form.resetFields();
    if (target.mode === 'edit') {
      const d = target.department;
      form.setFieldsValue({
        name: d.name,
        parentId: d.parentId ?? undefined,
        managerId: d.managerId ?? undefined,
        sortOrder: d.sortOrder,
      });
    } else {
      // A new department goes after its siblings.
      const siblings = (departments.data ?? []).filter((d) => d.parentId === (target.parent?.id ?? null));
      form.setFieldsValue({
        parentId: target.parent?.id,
        sortOrder: Math.max(-1, ...siblings.map((d) => d.sortOrder)) + 1,
      });
    }
    // Only when the modal opens; later list refreshes must not overwrite what the user typed.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- defaults only when the modal opens
  }, [target, form]);

  // A department cannot move under itself or one of its own sub-departments.
  const exclude = useMemo(
    () => (editing ? subtreeIds(departments.data ?? [], editing.id) : undefined),
    [editing, departments.data],
  );
  const managerOptions = useMemo(
    () =>
      (users.data ?? [])
        .filter((u) => u.active || u.id === editing?.managerId)
        .map((u) => ({ value: u.id, label: personLabel(locale, u), disabled: !u.active })),
    [users.data, editing, locale],
  );

  // Department names appear on users too.
  const save = useWrite(
    (values: Values) => {
      const body = {
        name: values.name,
        parentId: values.parentId ?? null,
        managerId: values.managerId ?? null,
        sortOrder: values.sortOrder ?? 0,
      };
      return editing ? departmentsApi.update(editing.id, body) : departmentsApi.create(body);
    },
    [departmentsApi.path, usersApi.path],
  );

  const submit = async (values: Values) => {
    try {
      await save.mutateAsync(values);
      void message.success(t(editing ? 'common.saved' : 'common.created'));
      onClose();
    } catch (error) {
      onError(error);
    }
  };

  const title = !target
    ? undefined
    : target.mode === 'edit'
      ? t('department.editTitle', { name: target.department.name })
      : target.parent
        ? t('department.createChildTitle', { parent: target.parent.name })
        : t('department.createTitle');

  return (
    <Modal
      open={target !== null}
      title={title}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      confirmLoading={save.isPending}
      destroyOnHidden
    >
      <Form<Values> form={form} layout="vertical" onFinish={submit} name="department">
        <Form.Item name="name" label={t('department.name')} rules={[rules.required('department.name'), { max: 50 }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="parentId" label={t('department.parent')}>
          <DepartmentTreeSelect exclude={exclude} placeholder={t('department.topLevel')} />
        </Form.Item>
        <Form.Item name="managerId" label={t('department.manager')}>
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('department.pickManager')}
            options={managerOptions}
            loading={users.isLoading}
          />
        </Form.Item>
        <Form.Item name="sortOrder" label={t('common.sortOrder')}>
          <InputNumber min={0} max={100000} precision={0} style={{ width: 160 }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
