import { UploadOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Checkbox,
  Flex,
  Modal,
  Progress,
  Radio,
  Spin,
  Statistic,
  Table,
  Typography,
  Upload,
  type UploadFile,
} from 'antd';
import { useRef, useState } from 'react';
import {
  IMPORT_MAX_BYTES,
  IMPORT_MODES,
  type ImportColumns,
  type ImportReport,
  type ImportStreamLine,
} from '../../../common/schemas/transfer';
import { useWrite } from '../../api/queries';
import { apiWithProgress, isApiError } from '../../api/client';
import { contactsApi, customersApi } from '../../api/resources';
import { errorText, useErrorToast } from '../../components/errors';
import { useT } from '../../i18n';
import { ImportMapping, initialMapping, mappingProblems, type ColumnMapping } from './ImportMapping';

type Progress = { done: number; total: number };

/** The import with the mapping, reporting progress as the server processes the rows. */
function importWithProgress(
  file: File,
  mapping: ColumnMapping,
  query: { dryRun: boolean; mode: string; keepGoodRows: boolean },
  onProgress: (p: Progress) => void,
) {
  const form = new FormData();
  form.append('mapping', JSON.stringify(mapping));
  form.append('file', file, file.name);
  return apiWithProgress<Extract<ImportStreamLine, { type: 'result' }>>(
    '/api/v1/customers/import',
    { method: 'POST', body: form, query },
    (done, total) => onProgress({ done, total }),
  );
}

/**
 * Import customers with their contacts: pick a file, check which field each of its columns
 * imports into, check it (a dry run shows what would be created and every bad row), then
 * import — all or nothing unless the user keeps the good rows. Long runs show their progress.
 */
export function ImportModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useT();
  const toast = useErrorToast();
  const { message } = App.useApp();
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [mode, setMode] = useState<(typeof IMPORT_MODES)[number]>('upsert');
  const [keepGoodRows, setKeepGoodRows] = useState(false);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [columns, setColumns] = useState<ImportColumns | null>(null);
  const [mapping, setMapping] = useState<ColumnMapping>({});
  const [progress, setProgress] = useState<Progress | null>(null);
  const file = files[0]?.originFileObj;
  // The file whose columns are wanted: an answer for an earlier pick is dropped.
  const picked = useRef<File | null>(null);
  const read = useMutation({ mutationFn: (f: File) => customersApi.importColumns(f) });
  const run = useWrite(
    (dryRun: boolean) => {
      setProgress(null);
      return importWithProgress(file!, mapping, { dryRun, mode, keepGoodRows }, setProgress).then(
        (line) => line.report,
      );
    },
    [customersApi.path, contactsApi.path, '/api/v1/answers'],
  );
  const problems = columns ? mappingProblems(t, columns, mapping) : null;
  const ready = Boolean(file && columns && problems && problems.messages.length === 0);

  const pick = (next: File | undefined) => {
    picked.current = next ?? null;
    setColumns(null);
    setMapping({});
    setReport(null);
    read.reset();
    if (!next) return;
    read.mutate(next, {
      onSuccess: (found) => {
        if (picked.current !== next) return;
        setColumns(found);
        setMapping(initialMapping(found));
      },
    });
  };
  const reset = () => {
    setFiles([]);
    pick(undefined);
    setKeepGoodRows(false);
  };
  const close = () => {
    reset();
    onClose();
  };
  const submit = async (dryRun: boolean) => {
    try {
      const result = await run.mutateAsync(dryRun);
      setReport(result);
      if (!dryRun) {
        void message.success(
          t('import.done', { created: result.customers.created, updated: result.customers.updated }),
        );
        if (result.errors.length === 0) close();
      }
    } catch (error) {
      // A real run with bad rows writes nothing and sends the report along.
      if (isApiError(error, 'IMPORT_HAS_ERRORS')) setReport(error.details as ImportReport);
      else toast(error);
    }
  };

  return (
    <Modal
      open={open}
      onCancel={close}
      width={760}
      title={t('import.title')}
      destroyOnHidden
      footer={
        <Flex justify="flex-end" gap={8}>
          <Button onClick={close}>{t('common.cancel')}</Button>
          <Button
            disabled={!ready || (run.isPending && run.variables !== true)}
            loading={run.isPending && run.variables === true}
            onClick={() => void submit(true)}
            data-testid="import-check"
          >
            {t('import.check')}
          </Button>
          <Button
            type="primary"
            disabled={!ready || (run.isPending && run.variables !== false)}
            loading={run.isPending && run.variables === false}
            onClick={() => void submit(false)}
            data-testid="import-run"
          >
            {t('import.run')}
          </Button>
        </Flex>
      }
    >
      <Flex vertical gap={16}>
        <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
          {t('import.help', { maxMb: IMPORT_MAX_BYTES / 1024 / 1024 })}
        </Typography.Paragraph>
        <Upload
          accept=".csv,.xlsx"
          maxCount={1}
          beforeUpload={() => false}
          fileList={files}
          disabled={run.isPending}
          onChange={({ fileList }) => {
            const next = fileList.slice(-1);
            setFiles(next);
            pick(next[0]?.originFileObj);
          }}
        >
          <Button icon={<UploadOutlined />}>{t('import.pick')}</Button>
        </Upload>
        {read.isPending && (
          <Spin size="small" description={t('import.reading')}>
            <div style={{ height: 48 }} />
          </Spin>
        )}
        {read.isError && (
          <Alert type="error" showIcon title={errorText(t, read.error)} data-testid="import-columns-error" />
        )}
        {columns && (
          <Flex vertical gap={8}>
            <Typography.Text strong>{t('import.mapping')}</Typography.Text>
            <Typography.Text type="secondary">
              {t('import.mappingHelp', { rows: columns.rows.toLocaleString() })}
            </Typography.Text>
            <ImportMapping
              t={t}
              columns={columns}
              mapping={mapping}
              conflicting={problems?.conflicting ?? new Set()}
              disabled={run.isPending}
              onChange={(header, field) => {
                setMapping((current) => ({ ...current, [header]: field }));
                setReport(null);
              }}
            />
            {problems && problems.messages.length > 0 && (
              <Alert
                type="error"
                showIcon
                data-testid="import-mapping-problems"
                title={problems.messages.map((m) => (
                  <div key={m}>{m}</div>
                ))}
              />
            )}
          </Flex>
        )}
        <Flex gap={24} wrap align="center">
          <Radio.Group
            disabled={run.isPending}
            value={mode}
            onChange={(e) => setMode(e.target.value)}
            options={IMPORT_MODES.map((m) => ({ value: m, label: t(`import.mode.${m}`) }))}
          />
          <Checkbox disabled={run.isPending} checked={keepGoodRows} onChange={(e) => setKeepGoodRows(e.target.checked)}>
            {t('import.keepGoodRows')}
          </Checkbox>
        </Flex>
        {run.isPending && (
          <Flex vertical gap={4} data-testid="import-progress">
            <Progress
              percent={progress && progress.total > 0 ? Math.floor((progress.done * 100) / progress.total) : 0}
              status="active"
            />
            <Typography.Text type="secondary">
              {progress
                ? t('import.progress', { done: progress.done.toLocaleString(), total: progress.total.toLocaleString() })
                : t('import.reading')}
            </Typography.Text>
          </Flex>
        )}
        {report && (
          <Flex vertical gap={12} data-testid="import-report">
            <Alert
              type={report.errors.length ? 'warning' : 'success'}
              showIcon
              title={
                report.dryRun
                  ? t('import.reportDryRun')
                  : report.errors.length && !keepGoodRows
                    ? t('import.reportNothingWritten')
                    : t('import.reportWritten')
              }
            />
            <Flex gap={32} wrap>
              <Statistic title={t('import.rows')} value={report.totalRows} />
              <Statistic title={t('import.created')} value={report.customers.created} />
              <Statistic title={t('import.updated')} value={report.customers.updated} />
              <Statistic title={t('import.unchanged')} value={report.customers.unchanged} />
              <Statistic title={t('import.contactsCreated')} value={report.contacts.created} />
              <Statistic
                title={t('import.errors')}
                value={report.errors.length}
                valueStyle={report.errors.length ? { color: '#cf1322' } : undefined}
              />
            </Flex>
            {report.errors.length > 0 && (
              <Table
                size="small"
                rowKey={(e) => `${e.row}-${e.column ?? ''}-${e.code}`}
                dataSource={report.errors}
                pagination={{ pageSize: 8, hideOnSinglePage: true }}
                columns={[
                  { key: 'row', dataIndex: 'row', title: t('import.row'), width: 70 },
                  {
                    key: 'column',
                    dataIndex: 'column',
                    title: t('import.column'),
                    width: 140,
                    render: (c?: string) => c ?? '—',
                  },
                  { key: 'message', dataIndex: 'message', title: t('import.problem') },
                ]}
              />
            )}
          </Flex>
        )}
      </Flex>
    </Modal>
  );
}
