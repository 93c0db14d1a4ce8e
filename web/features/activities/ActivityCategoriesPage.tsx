import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Switch,
  Tag,
  Tooltip,
  Typography,
  type TableProps,
} from 'antd';
import { useEffect, useRef, useState } from 'react';
import { CategoryCode, type ActivityCategoryItem } from '../../../common/schemas/activities';
import { useWrite } from '../../api/queries';
import { activitiesApi, activityCategoriesApi } from '../../api/resources';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { useErrorToast, useFormSubmitError, type FormFields } from '../../components/errors';
import { FormDrawer } from '../../components/FormDrawer';
import { PageContainer } from '../../components/PageContainer';
import { useRules } from '../../components/rules';
import { useLocale, useT } from '../../i18n';
import { categoryName, CategoryTag, useActivityCategories } from './activity-ui';

type Values = { code: string; nameZh: string; nameEn: string; position: number; active: boolean };
/** Validation issues go onto the fields; anything else (DUPLICATE_VALUE: the code is taken) is a toast. */
const FIELDS: FormFields = { names: ['code', 'nameZh', 'nameEn', 'position', 'active'] };
/** Tag colours and activity lists show category names: refresh both. */
const INVALIDATES = [activityCategoriesApi.path, activitiesApi.path];

/** Create (target null) or edit a category: code only when creating; names, order and — when editing — active. */
function CategoryDrawer({
  target,
  nextPosition,
  onClose,
}: {
  target: ActivityCategoryItem | null | undefined;
  nextPosition: number;
  onClose: () => void;
}) {
  const t = useT();
  const { locale } = useLocale();
  const rules = useRules();
  const { message, modal } = App.useApp();
  const [form] = Form.useForm<Values>();
  const onError = useFormSubmitError(form, FIELDS);
  const creating = target === null;
  const active = Form.useWatch('active', form);
  const save = useWrite(
    (v: Values) =>
      target
        ? activityCategoriesApi.update(target.code, {
            nameZh: v.nameZh.trim(),
            nameEn: v.nameEn.trim(),
            position: v.position,
            active: v.active,
          })
        : activityCategoriesApi.create({
            code: v.code.trim(),
            nameZh: v.nameZh.trim(),
            nameEn: v.nameEn.trim(),
            position: v.position,
          }),
    INVALIDATES,
  );

  // Filled when the drawer opens only (a background refresh of the list must not reset what is being typed).
  const suggested = useRef(nextPosition);
  suggested.current = nextPosition;
  useEffect(() => {
    if (target === undefined) return;
    form.resetFields();
    form.setFieldsValue(
      target
        ? {
            code: target.code,
            nameZh: target.nameZh,
            nameEn: target.nameEn,
            position: target.position,
            active: target.active,
          }
        : { position: suggested.current, active: true },
    );
  }, [target, form]);

  const write = async (values: Values) => {
    try {
      await save.mutateAsync(values);
      void message.success(t(creating ? 'common.created' : 'common.saved'));
      onClose();
    } catch (error) {
      onError(error);
    }
  };
  // Switching off in the form is confirmed like the switch in the table.
  const submit = (values: Values) => {
    if (target?.active && !values.active) {
      modal.confirm({
        title: t('category.deactivateTitle', { name: categoryName(target, locale) }),
        content: t('category.deactivateHint'),
        okText: t('common.deactivate'),
        okButtonProps: { danger: true },
        onOk: () => write(values),
      });
    } else void write(values);
  };

  return (
    <FormDrawer
      open={target !== undefined}
      width={520}
      title={target ? t('category.editTitle', { name: categoryName(target, locale) }) : t('category.createTitle')}
      onClose={onClose}
      onSave={() => form.submit()}
      saving={save.isPending}
      saveTestId="category-submit"
    >
      <Form<Values> form={form} layout="vertical" onFinish={submit} name="category" data-testid="category-form">
        <Form.Item
          name="code"
          label={t('category.code')}
          extra={creating ? t('category.codeHelp') : t('category.codeFixed')}
          rules={creating ? [rules.required('category.code'), rules.schema(CategoryCode)] : []}
        >
          <Input
            disabled={!creating}
            autoComplete="off"
            maxLength={40}
            placeholder="tax-filing"
            style={{ width: 240 }}
          />
        </Form.Item>
        <Form.Item name="nameZh" label={t('category.nameZh')} rules={[rules.required('category.nameZh'), { max: 30 }]}>
          <Input autoComplete="off" maxLength={30} placeholder={t('category.nameZhPlaceholder')} />
        </Form.Item>
        <Form.Item name="nameEn" label={t('category.nameEn')} rules={[rules.required('category.nameEn'), { max: 60 }]}>
          <Input autoComplete="off" maxLength={60} placeholder={t('category.nameEnPlaceholder')} />
        </Form.Item>
        <Form.Item
          name="position"
          label={t('category.position')}
          extra={t('category.positionHelp')}
          rules={[{ required: true, type: 'number', min: 0, max: 1000 }]}
        >
          <InputNumber min={0} max={1000} precision={0} style={{ width: 160 }} />
        </Form.Item>
        {!creating && (
          <Form.Item
            name="active"
            label={t('common.status')}
            valuePropName="checked"
            extra={target?.active && active === false ? undefined : t('category.activeHelp')}
          >
            <Switch checkedChildren={t('common.active')} unCheckedChildren={t('common.inactive')} />
          </Form.Item>
        )}
        {!creating && target?.active && active === false && (
          <Alert type="warning" showIcon title={t('category.deactivateHint')} />
        )}
      </Form>
    </FormDrawer>
  );
}

/** The switch in a row: switching off is confirmed (old activities keep their category), switching on is not. */
function ActiveSwitch({ item }: { item: ActivityCategoryItem }) {
  const t = useT();
  const { locale } = useLocale();
  const toast = useErrorToast();
  const { message } = App.useApp();
  const toggle = useWrite((active: boolean) => activityCategoriesApi.update(item.code, { active }), INVALIDATES);
  const run = (active: boolean) =>
    toggle
      .mutateAsync(active)
      .then(() => void message.success(t(active ? 'common.activated' : 'common.deactivated')), toast);
  const control = (
    <Switch
      size="small"
      checked={item.active}
      loading={toggle.isPending}
      onChange={item.active ? undefined : () => void run(true)}
      aria-label={t(item.active ? 'common.deactivate' : 'common.activate')}
      data-testid={`category-active-${item.code}`}
    />
  );
  if (!item.active) return control;
  return (
    <Popconfirm
      title={t('category.deactivateTitle', { name: categoryName(item, locale) })}
      description={<div style={{ maxWidth: 320 }}>{t('category.deactivateHint')}</div>}
      okText={t('common.deactivate')}
      okButtonProps={{ danger: true }}
      onConfirm={() => run(false)}
    >
      {control}
    </Popconfirm>
  );
}

/** 活动类别: the firm's activity categories — the built-in ones (renamed or switched off, never deleted) and its own. */
export function ActivityCategoriesPage() {
  const t = useT();
  const categories = useActivityCategories();
  const [editing, setEditing] = useState<ActivityCategoryItem | null | undefined>(undefined);
  const items = categories.data ?? [];
  const nextPosition = Math.min(1000, items.reduce((max, c) => Math.max(max, c.position), 0) + 10);

  const columns: TableProps<ActivityCategoryItem>['columns'] = [
    { key: 'position', dataIndex: 'position', title: t('category.position'), width: 80, align: 'right' },
    {
      key: 'code',
      title: t('category.code'),
      width: 170,
      render: (_, c) => <Typography.Text code>{c.code}</Typography.Text>,
    },
    {
      key: 'nameZh',
      title: t('category.nameZh'),
      render: (_, c) => <Typography.Text type={c.active ? undefined : 'secondary'}>{c.nameZh}</Typography.Text>,
    },
    {
      key: 'nameEn',
      title: t('category.nameEn'),
      render: (_, c) => <Typography.Text type={c.active ? undefined : 'secondary'}>{c.nameEn}</Typography.Text>,
    },
    { key: 'shown', title: t('category.shownAs'), render: (_, c) => <CategoryTag category={c.code} /> },
    {
      key: 'builtin',
      title: t('category.kind'),
      width: 110,
      render: (_, c) =>
        c.builtin ? (
          <Tag color="blue" variant="filled">
            {t('category.builtin')}
          </Tag>
        ) : (
          <Tag variant="filled">{t('category.custom')}</Tag>
        ),
    },
    { key: 'active', title: t('common.status'), width: 90, render: (_, c) => <ActiveSwitch item={c} /> },
    {
      key: 'actions',
      title: t('common.actions'),
      width: 80,
      render: (_, c) => (
        <Tooltip title={t('common.edit')}>
          <Button
            type="text"
            size="small"
            icon={<EditOutlined />}
            aria-label={t('common.edit')}
            onClick={() => setEditing(c)}
            data-testid={`category-edit-${c.code}`}
          />
        </Tooltip>
      ),
    },
  ];

  return (
    <PageContainer
      title={t('nav.activityCategories')}
      hint={t('category.hint')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing(null)} data-testid="category-create">
          {t('category.create')}
        </Button>
      }
    >
      <Card>
        <DataTable<ActivityCategoryItem>
          rowKey="code"
          data-testid="categories-table"
          columns={columns}
          dataSource={items}
          query={categories}
          pagination={false}
          empty={<EmptyState title={t('category.empty')} />}
          footer={() => (
            <Typography.Text type="secondary">
              {t('category.footer', { active: items.filter((c) => c.active).length, total: items.length })}
            </Typography.Text>
          )}
        />
      </Card>
      <CategoryDrawer target={editing} nextPosition={nextPosition} onClose={() => setEditing(undefined)} />
    </PageContainer>
  );
}
