import { Select, Table, Typography } from 'antd';
import type { ImportColumns, TransferField } from '../../../common/schemas/transfer';
import type { Translate } from '../../i18n';

/** The field each column imports into, by header (the multipart field `mapping`: null skips a column). */
export type ColumnMapping = Record<string, TransferField | null>;
type Column = ImportColumns['headers'][number];

/** A column can be mapped when it has a header that no earlier column has (the mapping names columns by header). */
function mappableColumns(columns: ImportColumns): Set<Column> {
  const seen = new Set<string>();
  const out = new Set<Column>();
  for (const column of columns.headers) {
    if (column.header === '' || seen.has(column.header)) continue;
    seen.add(column.header);
    out.add(column);
  }
  return out;
}

/** The automatic match the server found, as the starting mapping. */
export function initialMapping(columns: ImportColumns): ColumnMapping {
  return Object.fromEntries([...mappableColumns(columns)].map((c) => [c.header, c.field]));
}

export const fieldLabel = (t: Translate, field: TransferField) => t(`import.field.${field}`);

/** What keeps a mapping from being sent: a field with two columns, a required field with none. */
export function mappingProblems(
  t: Translate,
  columns: ImportColumns,
  mapping: ColumnMapping,
): { messages: string[]; conflicting: Set<string> } {
  const byField = new Map<TransferField, string[]>();
  for (const [header, field] of Object.entries(mapping))
    if (field) byField.set(field, [...(byField.get(field) ?? []), header]);
  const messages: string[] = [];
  const conflicting = new Set<string>();
  for (const [field, headers] of byField) {
    if (headers.length < 2) continue;
    headers.forEach((h) => conflicting.add(h));
    messages.push(t('import.duplicateField', { first: headers[0], second: headers[1], field: fieldLabel(t, field) }));
  }
  for (const { field, required } of columns.fields)
    if (required && !byField.has(field)) messages.push(t('import.requiredMissing', { field: fieldLabel(t, field) }));
  return { messages, conflicting };
}

const SKIP = '';

/** Every column of the file's header row with its first values and the field it imports into. */
export function ImportMapping({
  t,
  columns,
  mapping,
  conflicting,
  disabled,
  onChange,
}: {
  t: Translate;
  columns: ImportColumns;
  mapping: ColumnMapping;
  conflicting: Set<string>;
  disabled: boolean;
  onChange: (header: string, field: TransferField | null) => void;
}) {
  const mappable = mappableColumns(columns);
  const options = [
    { value: SKIP, label: t('import.skip') },
    ...columns.fields.map(({ field, required }) => ({
      value: field,
      label: required ? t('import.requiredMark', { field: fieldLabel(t, field) }) : fieldLabel(t, field),
    })),
  ];
  return (
    <Table<Column>
      size="small"
      data-testid="import-mapping"
      rowKey={(c) => `${columns.headers.indexOf(c)}`}
      dataSource={columns.headers}
      pagination={false}
      scroll={columns.headers.length > 8 ? { y: 300 } : undefined}
      columns={[
        {
          key: 'header',
          title: t('import.fileColumn'),
          width: 180,
          render: (_, c) =>
            c.header ? (
              <Typography.Text strong>{c.header}</Typography.Text>
            ) : (
              <Typography.Text type="secondary">{t('import.noHeader')}</Typography.Text>
            ),
        },
        {
          key: 'samples',
          title: t('import.samples'),
          ellipsis: true,
          render: (_, c) => <Typography.Text type="secondary">{c.samples.join(' · ') || '—'}</Typography.Text>,
        },
        {
          key: 'field',
          title: t('import.importAs'),
          width: 260,
          render: (_, c) =>
            mappable.has(c) ? (
              <Select
                aria-label={`${t('import.importAs')} ${c.header}`}
                style={{ width: '100%' }}
                value={mapping[c.header] ?? SKIP}
                options={options}
                showSearch={{ optionFilterProp: 'label' }}
                disabled={disabled}
                status={conflicting.has(c.header) ? 'error' : undefined}
                onChange={(value: string) => onChange(c.header, value === SKIP ? null : (value as TransferField))}
              />
            ) : (
              <Typography.Text type="secondary">
                {c.header ? t('import.repeatedHeader') : t('import.skip')}
              </Typography.Text>
            ),
        },
      ]}
    />
  );
}
