import { App, Col, Divider, Form, Input, Row, Select, Switch } from 'antd';
import { FormDrawer } from '../../components/FormDrawer';
import { useEffect, useMemo } from 'react';
import { Email, Phone } from '../../../common/schemas/common';
import { Password, STAFF_CATEGORIES, Username, type StaffCategory, type User } from '../../../common/schemas/staff';
import { useAllBranches, useAllBusinessLines, useAllRegions, useAllRoles, useWrite } from '../../api/queries';
import { usersApi } from '../../api/resources';
import { ME_KEY } from '../../auth/session';
import { DepartmentTreeSelect } from '../../components/DepartmentTreeSelect';
import { useFormSubmitError, type FormFields } from '../../components/errors';
import { categoryKey, roleLabel } from '../../components/labels';
import { useRules } from '../../components/rules';
import { LANGUAGE_NAMES, LOCALES, useLocale, useT, type Locale } from '../../i18n';

type Values = {
  username: string;
  password: string;
  displayName: string;
  email?: string;
  phone?: string;
  roleId: string;
  departmentId?: string;
  branchId?: string;
  regionId?: string;
  businessLineIds: string[];
  staffCategory: StaffCategory;
  isPracticingCpa: boolean;
  locale: Locale;
};

const FIELDS: FormFields = {
  names: [
    'username',
    'password',
    'displayName',
    'email',
    'phone',
    'roleId',
    'departmentId',
    'branchId',
    'regionId',
    'businessLineIds',
    'staffCategory',
    'isPracticingCpa',
    'locale',
  ],
  rename: {
    role: 'roleId',
    department: 'departmentId',
    branch: 'branchId',
    region: 'regionId',
    businessLine: 'businessLineIds',
  },
};

/** Options of an active-only picker; an inactive value already on the record stays visible. */
function pickerOptions<T extends { id: string; name: string; active: boolean }>(
  items: T[] | undefined,
  current?: string | string[] | null,
) {
  const keep = new Set(Array.isArray(current) ? current : current ? [current] : []);
  return (items ?? [])
    .filter((i) => i.active || keep.has(i.id))
    .map((i) => ({ value: i.id, label: i.name, disabled: !i.active }));
}

type Props = { open: boolean; user: User | null; onClose: () => void };

/** Creates a user (user = null) or edits one. */
export function UserFormDrawer({ open, user, onClose }: Props) {
  const t = useT();
  const { locale } = useLocale();
  const rules = useRules();
  const [form] = Form.useForm<Values>();
  const { message } = App.useApp();
  const onError = useFormSubmitError(form, FIELDS);
  const save = useWrite(
    (values: Values) => {
      const fields = {
        displayName: values.displayName,
        email: values.email || null,
        phone: values.phone || null,
        roleId: values.roleId,
        departmentId: values.departmentId ?? null,
        branchId: values.branchId ?? null,
        regionId: values.regionId ?? null,
        businessLineIds: values.businessLineIds ?? [],
        staffCategory: values.staffCategory,
        isPracticingCpa: values.isPracticingCpa,
        locale: values.locale,
      };
      return user
        ? usersApi.update(user.id, fields)
        : usersApi.create({ ...fields, username: values.username, password: values.password });
    },
    [usersApi.path, ME_KEY[0]],
  ); // the signed-in user may be editing themself
  const roles = useAllRoles();
  const branches = useAllBranches();
  const regions = useAllRegions();
  const businessLines = useAllBusinessLines();
  const editing = user !== null;

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(
      user
        ? {
            username: user.username,
            displayName: user.displayName,
            email: user.email ?? undefined,
            phone: user.phone ?? undefined,
            roleId: user.roleId,
            departmentId: user.departmentId ?? undefined,
            branchId: user.branchId ?? undefined,
            regionId: user.regionId ?? undefined,
            businessLineIds: user.businessLineIds,
            staffCategory: user.staffCategory,
            isPracticingCpa: user.isPracticingCpa,
            locale: user.locale,
          }
        : { businessLineIds: [], staffCategory: 'frontline', isPracticingCpa: false, locale: 'zh-CN' },
    );
  }, [open, user, form]);

  const roleOptions = useMemo(
    () => (roles.data ?? []).map((r) => ({ value: r.id, label: roleLabel(t, locale, r) })),
    [roles.data, t, locale],
  );

  const submit = async (values: Values) => {
    try {
      await save.mutateAsync(values);
      void message.success(t(user ? 'common.saved' : 'common.created'));
      onClose();
    } catch (error) {
      onError(error);
    }
  };

  return (
    <FormDrawer
      open={open}
      onClose={onClose}
      title={user ? t('user.editTitle', { name: user.displayName }) : t('user.createTitle')}
      onSave={() => form.submit()}
      saving={save.isPending}
      saveTestId="user-form-submit"
    >
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={submit}
        name="user"
        scrollToFirstError={{ block: 'center' }}
      >
        <Divider titlePlacement="start" plain style={{ marginTop: 0 }}>
          {t('user.sectionAccount')}
        </Divider>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item
              name="username"
              label={t('user.username')}
              extra={editing ? undefined : t('user.usernameHelp')}
              rules={editing ? [] : [rules.required('user.username'), rules.schema(Username)]}
            >
              <Input disabled={editing} autoComplete="off" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item
              name="displayName"
              label={t('user.displayName')}
              rules={[rules.required('user.displayName'), { max: 50 }]}
            >
              <Input autoComplete="off" />
            </Form.Item>
          </Col>
          {!editing && (
            <Col span={12}>
              <Form.Item
                name="password"
                label={t('user.password')}
                rules={[rules.required('user.password'), rules.schema(Password)]}
              >
                <Input.Password autoComplete="new-password" placeholder={t('user.passwordHelp')} />
              </Form.Item>
            </Col>
          )}
          <Col span={12}>
            <Form.Item name="roleId" label={t('user.role')} rules={[rules.required('user.role', 'select')]}>
              <Select options={roleOptions} loading={roles.isLoading} showSearch={{ optionFilterProp: 'label' }} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="locale" label={t('user.locale')}>
              <Select options={LOCALES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }))} />
            </Form.Item>
          </Col>
        </Row>

        <Divider titlePlacement="start" plain>
          {t('user.sectionOrganisation')}
        </Divider>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="departmentId" label={t('user.department')}>
              <DepartmentTreeSelect />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item
              name="staffCategory"
              label={t('user.staffCategory')}
              rules={[rules.required('user.staffCategory', 'select')]}
            >
              <Select options={STAFF_CATEGORIES.map((c) => ({ value: c, label: t(categoryKey(c)) }))} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="branchId" label={t('user.branch')}>
              <Select allowClear options={pickerOptions(branches.data, user?.branchId)} loading={branches.isLoading} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="regionId" label={t('user.region')}>
              <Select allowClear options={pickerOptions(regions.data, user?.regionId)} loading={regions.isLoading} />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="businessLineIds" label={t('user.businessLines')}>
              <Select
                mode="multiple"
                allowClear
                options={pickerOptions(businessLines.data, user?.businessLineIds)}
                loading={businessLines.isLoading}
                showSearch={{ optionFilterProp: 'label' }}
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="isPracticingCpa" label={t('user.cpa')} valuePropName="checked">
              <Switch checkedChildren={t('user.cpaPracticing')} unCheckedChildren={t('user.cpaNonPracticing')} />
            </Form.Item>
          </Col>
        </Row>

        <Divider titlePlacement="start" plain>
          {t('user.sectionContact')}
        </Divider>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="email" label={t('user.email')} rules={[rules.schema(Email)]}>
              <Input type="email" autoComplete="off" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="phone" label={t('user.phone')} rules={[rules.schema(Phone)]}>
              <Input autoComplete="off" />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </FormDrawer>
  );
}
