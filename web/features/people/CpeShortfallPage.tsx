import { SettingOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, Select, Flex, Typography, type TableProps } from 'antd';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { QUALIFICATION_KINDS, RequiredHours, type CpeShortfallRow } from '../../../common/schemas/people';
import { usePage, useWrite } from '../../api/queries';
import { cpeApi, peopleApi, type CpeShortfallParams } from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { DataTable } from '../../components/DataTable';
import { DepartmentTreeSelect } from '../../components/DepartmentTreeSelect';
import { EmptyState } from '../../components/EmptyState';
import { FormDrawer } from '../../components/FormDrawer';
import { useFormSubmitError } from '../../components/errors';
import { firmToday } from '../../components/format';
import { PageContainer } from '../../components/PageContainer';
import { Loaded } from '../../components/QueryState';
import { useRules } from '../../components/rules';
import { useServerTable } from '../../components/server-table';
import { useT } from '../../i18n';

/**
 * 继续教育: who is short of the year's continuing-education hours (managers: their department; administrators,
 * partners, finance: everyone), most missing first, by year and department; administrators set the hours each
 * qualification requires.
 */
export function CpeShortfallPage() {
  const t = useT();
  const me = useMe();
  const thisYear = Number(firmToday().slice(0, 4));
  const [params, setParams] = useState<CpeShortfallParams>({ page: 1, pageSize: 20, year: thisYear });
  const [configuring, setConfiguring] = useState(false);
  const page = usePage(cpeApi, params);
  const filter = (patch: Partial<CpeShortfallParams>) => setParams((p) => ({ ...p, ...patch, page: 1 }));
  const table = useServerTable<CpeShortfallRow, CpeShortfallParams>(params, setParams, page.data?.total);
  const columns: TableProps<CpeShortfallRow>['columns'] = [
    {
      key: 'name',
      title: t('cpe.person'),
      sorter: true,
      render: (_, r) => <Link to={`/people/${r.userId}`}>{r.name}</Link>,
    },
    { key: 'department', dataIndex: 'departmentName', title: t('cpe.department'), responsive: ['sm'] },
    { key: 'required', dataIndex: 'required', title: t('cpe.required'), align: 'right' },
    { key: 'hours', dataIndex: 'hours', title: t('cpe.hours'), align: 'right' },
    {
      key: 'short',
      title: t('cpe.short'),
      align: 'right',
      sorter: true,
      render: (_, r) => <Typography.Text type="danger">{r.short}</Typography.Text>,
    },
  ];
  const years = Array.from({ length: 5 }, (_, i) => thisYear - i);
  return (
    <PageContainer
      title={t('cpe.title')}
      hint={t('cpe.hint')}
      extra={
        can(me, 'staff:manage') && (
          <Button icon={<SettingOutlined />} onClick={() => setConfiguring(true)} data-testid="cpe-requirements">
            {t('cpe.requirements')}
          </Button>
        )
      }
    >
      <Card>
        <Flex gap={8} wrap style={{ marginBottom: 16 }}>
          <Select
            aria-label={t('cpe.year')}
            style={{ width: 110 }}
            value={params.year}
            options={years.map((y) => ({ value: y, label: String(y) }))}
            onChange={(year) => filter({ year })}
          />
          <DepartmentTreeSelect
            allowInactive
            placeholder={t('cpe.filterDepartment')}
            aria-label={t('cpe.department')}
            style={{ width: 200 }}
            value={params.departmentId}
            onChange={(departmentId) => filter({ departmentId })}
          />
          <Input.Search
            allowClear
            placeholder={t('cpe.search')}
            aria-label={t('common.search')}
            style={{ width: 200 }}
            onSearch={(q) => filter({ q: q || undefined })}
          />
        </Flex>
        <DataTable<CpeShortfallRow>
          data-testid="cpe-shortfall-table"
          {...table.props(page, columns, <EmptyState title={t('cpe.empty')} />)}
          rowKey="userId"
        />
      </Card>
      {can(me, 'staff:manage') && <RequirementsDrawer open={configuring} onClose={() => setConfiguring(false)} />}
    </PageContainer>
  );
}

type Values = Record<string, string>;

function RequirementsDrawer({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useT();
  const rules = useRules();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const onError = useFormSubmitError(form, { names: [...QUALIFICATION_KINDS] });
  const query = useQuery({ queryKey: [cpeApi.path, 'requirements'], queryFn: cpeApi.requirements, enabled: open });
  const save = useWrite(
    (v: Values) => cpeApi.setRequirements(QUALIFICATION_KINDS.map((kind) => ({ kind, hours: v[kind] ?? '0' }))),
    [cpeApi.path, peopleApi.path],
  );
  useEffect(() => {
    if (open && query.data) form.setFieldsValue(Object.fromEntries(query.data.items.map((i) => [i.kind, i.hours])));
  }, [open, query.data, form]);
  const submit = async (values: Values) => {
    try {
      await save.mutateAsync(values);
      void message.success(t('common.saved'));
      onClose();
    } catch (error) {
      onError(error);
    }
  };
  return (
    <FormDrawer
      open={open}
      onClose={onClose}
      title={t('cpe.requirementsTitle')}
      onSave={() => form.submit()}
      saving={save.isPending}
      width={420}
    >
      <Loaded query={query}>
        <Typography.Paragraph type="secondary">{t('cpe.requirementsHint')}</Typography.Paragraph>
        <Form<Values> form={form} layout="horizontal" labelCol={{ span: 10 }} onFinish={submit} name="cpe-requirements">
          {QUALIFICATION_KINDS.map((kind) => (
            <Form.Item
              key={kind}
              name={kind}
              label={t(`qualification.${kind}`)}
              rules={[rules.required('people.hours'), rules.schema(RequiredHours)]}
            >
              <Input inputMode="decimal" suffix="h" style={{ maxWidth: 140 }} />
            </Form.Item>
          ))}
        </Form>
      </Loaded>
    </FormDrawer>
  );
}
