import { useQuery } from '@tanstack/react-query';
import { Drawer, Flex, Typography, type TableProps } from 'antd';
import { contractTemplatesApi } from '../../api/resources';
import { DataTable } from '../../components/DataTable';
import { useIsMobile } from '../../components/responsive';
import { useLocale, useT } from '../../i18n';

type Row = { key: string; placeholder: string; label: string; sample: string; list?: boolean };

/** A placeholder as code, copied with one click. */
function Placeholder({ text }: { text: string }) {
  return (
    <Typography.Text code copyable={{ text }} style={{ whiteSpace: 'nowrap' }}>
      {text}
    </Typography.Text>
  );
}

/** The field list 字段列表: every placeholder a template may use, its meaning in the UI language and the sample's value. */
export function TemplateFieldsDrawer({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useT();
  const { locale } = useLocale();
  const mobile = useIsMobile();
  const fields = useQuery({
    queryKey: [contractTemplatesApi.path, 'fields'],
    queryFn: contractTemplatesApi.fields,
    enabled: open,
    staleTime: Infinity,
  });
  const label = (f: { labelZh: string; labelEn: string }) => (locale === 'zh-CN' ? f.labelZh : f.labelEn);
  const simple = (fields.data ?? []).filter((f) => !f.fields);
  const lists = (fields.data ?? []).flatMap((f) => (f.fields ? [{ ...f, fields: f.fields }] : []));
  const rows = (list: { name: string; labelZh: string; labelEn: string; sample: string }[], prefix = ''): Row[] =>
    list.map((f) => ({ key: `${prefix}${f.name}`, placeholder: `{${f.name}}`, label: label(f), sample: f.sample }));

  const columns: TableProps<Row>['columns'] = [
    {
      key: 'placeholder',
      title: t('contractTemplate.placeholder'),
      width: 220,
      render: (_, row) => <Placeholder text={row.placeholder} />,
    },
    { key: 'label', title: t('contractTemplate.field'), dataIndex: 'label' },
    {
      key: 'sample',
      title: t('contractTemplate.sample'),
      width: 200,
      render: (_, row) => <Typography.Text type="secondary">{row.sample || '—'}</Typography.Text>,
    },
  ];
  const table = (data: Row[], testId: string) => (
    <DataTable<Row>
      rowKey="key"
      size="small"
      pagination={false}
      query={fields}
      dataSource={data}
      columns={columns}
      // Fixed widths: long samples wrap instead of pushing the sample column out of the drawer.
      tableLayout="fixed"
      scroll={{ x: 600 }}
      cards={{ fields: ['label', 'sample'] }}
      data-testid={testId}
    />
  );

  return (
    <Drawer
      open={open}
      onClose={onClose}
      size={mobile ? '100%' : 760}
      title={t('contractTemplate.fieldsTitle')}
      data-testid="template-fields"
    >
      <Flex vertical gap={16}>
        <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
          {t('contractTemplate.fieldsIntro')}
        </Typography.Paragraph>
        {table(rows(simple), 'template-fields-simple')}
        {lists.map((list) => (
          <Flex vertical gap={8} key={list.name}>
            <Typography.Title level={5} style={{ margin: 0 }}>
              {label(list)}
            </Typography.Title>
            <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
              {t('contractTemplate.loopIntro', { open: `{#${list.name}}`, close: `{/${list.name}}` })}
            </Typography.Paragraph>
            <Flex gap={8} wrap>
              <Placeholder text={`{#${list.name}}`} />
              <Placeholder text={`{/${list.name}}`} />
            </Flex>
            {table(rows(list.fields, `${list.name}.`), `template-fields-${list.name}`)}
          </Flex>
        ))}
        {fields.data && (
          <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
            {t('contractTemplate.conditionIntro', { example: '{#branchName}{branchName}分所{/branchName}' })}
          </Typography.Paragraph>
        )}
      </Flex>
    </Drawer>
  );
}
