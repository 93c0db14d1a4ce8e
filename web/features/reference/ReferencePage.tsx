import { PlusOutlined } from '@ant-design/icons';
import {
  App,
  Button,
  Card,
  Flex,
  Form,
  Input,
  InputNumber,
  Modal,
  Select,
  Space,
  Typography,
  type TableProps,
} from 'antd';
import { useEffect, useState } from 'react';
import { useDirectory, usePage, useWrite } from '../../api/queries';
import { usersApi, type ReferenceListParams } from '../../api/resources';
import { ActiveFilter, type ActiveValue } from '../../components/ActiveFilter';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { useFormSubmitError, type FormFields } from '../../components/errors';
import { formatDateTime } from '../../components/format';
import { PageContainer } from '../../components/PageContainer';
import { useServerTable } from '../../components/server-table';
import { ActiveAndDeleteActions } from '../../components/RecordActions';
import { useRules } from '../../components/rules';
import { StatusTag } from '../../components/StatusTag';
import { useLocale, useT } from '../../i18n';
import type { ReferenceKind, ReferenceRecord } from './reference-kinds';

type Values = { name: string; code?: string; sortOrder?: number; headUserId?: string | null };
const FIELDS: FormFields = { names: ['name', 'code', 'sortOrder', 'headUserId'] };

/** Business lines have a head 业务负责人, whom approval steps may name. */
const hasHead = (kind: ReferenceKind) => kind.key === 'business-lines';

function ReferenceFormModal({
  kind,
  target,
  onClose,
}: {
  kind: ReferenceKind;
  target: ReferenceRecord | null | undefined;
  onClose: () => void;
}) {
  const t = useT();
  const rules = useRules();
  const [form] = Form.useForm<Values>();
  const { message } = App.useApp();
  const onError = useFormSubmitError(form, FIELDS);
  const noun = t(kind.oneKey);
  const people = useDirectory(hasHead(kind));
  // Users show branch and region names.
  const save = useWrite(
    (values: Values) => {
      const body = {
        name: values.name,
        code: values.code?.trim() ? values.code : null,
        sortOrder: values.sortOrder ?? 0,
        ...(hasHead(kind) ? { headUserId: values.headUserId ?? null } : {}),
      };
      return target ? kind.resource.update(target.id, body) : kind.resource.create(body);
    },
    [kind.resource.path, usersApi.path],
  );

  useEffect(() => {
    if (target === undefined) return;
    form.resetFields();
    form.setFieldsValue(
      target
        ? {
            name: target.name,
            code: target.code ?? undefined,
            sortOrder: target.sortOrder,
            headUserId: 'headUserId' in target ? target.headUserId : null,
          }
        : { sortOrder: 0 },
    );
  }, [target, form]);

  const submit = async (values: Values) => {
    try {
      await save.mutateAsync(values);
      void message.success(t(target ? 'common.saved' : 'common.created'));
      onClose();
    } catch (error) {
      onError(error);
    }
  };

  return (
    <Modal
      open={target !== undefined}
      title={
        target
          ? t('reference.editTitle', { kind: noun, name: target.name })
          : t('reference.createTitle', { kind: noun })
      }
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      confirmLoading={save.isPending}
      destroyOnHidden
    >
      <Form<Values> form={form} layout="vertical" onFinish={submit} name={`reference-${kind.key}`}>
        <Form.Item name="name" label={t('common.name')} rules={[rules.required('common.name'), { max: 50 }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="code"
          label={t('common.code')}
          extra={t(kind.codeHelpKey)}
          rules={[...(kind.codeRequired ? [rules.required('common.code')] : []), rules.schema(kind.codeSchema)]}
        >
          <Input autoComplete="off" style={{ width: 200 }} />
        </Form.Item>
        <Form.Item name="sortOrder" label={t('common.sortOrder')}>
          <InputNumber min={0} max={100000} precision={0} style={{ width: 160 }} />
        </Form.Item>
        {hasHead(kind) && (
          <Form.Item name="headUserId" label={t('reference.head')} extra={t('reference.headHelp')}>
            <Select
              allowClear
              showSearch
              optionFilterProp="label"
              loading={people.isLoading}
              options={(people.data ?? []).map((u) => ({ value: u.id, label: u.displayName }))}
            />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

function ReferenceActions({
  kind,
  record,
  onEdit,
}: {
  kind: ReferenceKind;
  record: ReferenceRecord;
  onEdit: () => void;
}) {
  const t = useT();
  return (
    <Space size={0}>
      <Button type="link" size="small" onClick={onEdit}>
        {t('common.edit')}
      </Button>
      <ActiveAndDeleteActions
        record={record}
        setActive={(active) => kind.resource.update(record.id, { active })}
        remove={() => kind.resource.remove(record.id)}
        invalidates={[kind.resource.path, usersApi.path]}
      />
    </Space>
  );
}

/** The one page for branches, regions and business lines (see reference-kinds.ts). */
export function ReferencePage({ kind }: { kind: ReferenceKind }) {
  const t = useT();
  const { locale } = useLocale();
  const [params, setParams] = useState<ReferenceListParams>({ page: 1, pageSize: 20, active: 'true' });
  const [editing, setEditing] = useState<ReferenceRecord | null | undefined>(undefined);
  const page = usePage(kind.resource, params);
  const noun = t(kind.oneKey);
  const filtered = Boolean(params.q) || params.active !== 'true';
  const people = useDirectory(hasHead(kind));
  const personName = new Map((people.data ?? []).map((u) => [u.id, u.displayName]));

  const columns: TableProps<ReferenceRecord>['columns'] = [
    { key: 'name', dataIndex: 'name', title: t('common.name'), sorter: true },
    {
      key: 'code',
      dataIndex: 'code',
      title: t('common.code'),
      width: 140,
      render: (code: string | null) => code ?? <Typography.Text type="secondary">—</Typography.Text>,
    },
    {
      key: 'sortOrder',
      dataIndex: 'sortOrder',
      title: t('common.sortOrder'),
      sorter: true,
      width: 100,
      align: 'right',
    },
    ...(hasHead(kind)
      ? [
          {
            key: 'head',
            title: t('reference.head'),
            width: 140,
            render: (_: unknown, r: ReferenceRecord) =>
              'headUserId' in r && r.headUserId ? (
                (personName.get(r.headUserId) ?? '…')
              ) : (
                <Typography.Text type="secondary">—</Typography.Text>
              ),
          },
        ]
      : []),
    { key: 'status', title: t('common.status'), width: 110, render: (_, r) => <StatusTag active={r.active} /> },
    {
      key: 'updatedAt',
      dataIndex: 'updatedAt',
      title: t('common.updatedAt'),
      width: 170,
      render: (v: string) => formatDateTime(v, locale),
    },
    {
      key: 'actions',
      title: t('common.actions'),
      width: 200,
      render: (_, r) => <ReferenceActions kind={kind} record={r} onEdit={() => setEditing(r)} />,
    },
  ];
  const table = useServerTable<ReferenceRecord, ReferenceListParams>(params, setParams, page.data?.total);

  return (
    <PageContainer
      title={t(kind.titleKey)}
      hint={t(kind.hintKey)}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing(null)}>
          {t('reference.create', { kind: noun })}
        </Button>
      }
    >
      <Card>
        <Flex gap={8} wrap style={{ marginBottom: 16 }}>
          <Input.Search
            allowClear
            placeholder={t('common.searchPlaceholder')}
            aria-label={t('common.search')}
            style={{ width: 260 }}
            onSearch={(q) => setParams((p) => ({ ...p, q: q || undefined, page: 1 }))}
          />
          <ActiveFilter
            value={(params.active ?? 'true') as ActiveValue}
            onChange={(active) => setParams((p) => ({ ...p, active, page: 1 }))}
          />
        </Flex>
        <DataTable<ReferenceRecord>
          data-testid={`${kind.key}-table`}
          {...table.props(
            page,
            columns,
            <EmptyState
              title={t(filtered ? 'reference.emptyFiltered' : 'reference.empty', { kind: noun })}
              hint={filtered ? undefined : t('reference.emptyHint')}
            />,
          )}
          className={undefined}
          scroll={{ x: 800 }}
        />
      </Card>
      <ReferenceFormModal kind={kind} target={editing} onClose={() => setEditing(undefined)} />
    </PageContainer>
  );
}
