import { UploadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Checkbox, Flex, Modal, Radio, Statistic, Table, Typography, Upload, type UploadFile } from 'antd';
import { useState } from 'react';
import { IMPORT_MAX_BYTES, IMPORT_MODES, type ImportReport } from '../../../common/schemas/transfer';
import { useWrite } from '../../api/queries';
import { isApiError } from '../../api/client';
import { contactsApi, customersApi } from '../../api/resources';
import { useErrorToast } from '../../components/errors';
import { useT } from '../../i18n';

/**
 * Import customers with their contacts: pick a file, check it (a dry run shows what would be
 * created and every bad row), then import — all or nothing unless the user keeps the good rows.
 */
export function ImportModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useT();
  const toast = useErrorToast();
  const { message } = App.useApp();
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [mode, setMode] = useState<(typeof IMPORT_MODES)[number]>('upsert');
  const [keepGoodRows, setKeepGoodRows] = useState(false);
  const [report, setReport] = useState<ImportReport | null>(null);
  const file = files[0]?.originFileObj;
  const run = useWrite(
    (dryRun: boolean) => customersApi.import(file!, { dryRun, mode, keepGoodRows }),
    [customersApi.path, contactsApi.path, '/api/v1/answers'],
  );

  const reset = () => {
    setFiles([]);
    setReport(null);
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
        void message.success(t('import.done', { created: result.customers.created, updated: result.customers.updated }));
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
          <Button disabled={!file} loading={run.isPending && run.variables === true} onClick={() => void submit(true)} data-testid="import-check">
            {t('import.check')}
          </Button>
          <Button type="primary" disabled={!file} loading={run.isPending && run.variables === false} onClick={() => void submit(false)} data-testid="import-run">
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
          onChange={({ fileList }) => {
            setFiles(fileList.slice(-1));
            setReport(null);
          }}
        >
          <Button icon={<UploadOutlined />}>{t('import.pick')}</Button>
        </Upload>
        <Flex gap={24} wrap align="center">
          <Radio.Group value={mode} onChange={(e) => setMode(e.target.value)} options={IMPORT_MODES.map((m) => ({ value: m, label: t(`import.mode.${m}`) }))} />
          <Checkbox checked={keepGoodRows} onChange={(e) => setKeepGoodRows(e.target.checked)}>{t('import.keepGoodRows')}</Checkbox>
        </Flex>
        {report && (
          <Flex vertical gap={12} data-testid="import-report">
            <Alert
              type={report.errors.length ? 'warning' : 'success'}
              showIcon
              title={report.dryRun ? t('import.reportDryRun') : report.errors.length && !keepGoodRows ? t('import.reportNothingWritten') : t('import.reportWritten')}
            />
            <Flex gap={32} wrap>
              <Statistic title={t('import.rows')} value={report.totalRows} />
              <Statistic title={t('import.created')} value={report.customers.created} />
              <Statistic title={t('import.updated')} value={report.customers.updated} />
              <Statistic title={t('import.unchanged')} value={report.customers.unchanged} />
              <Statistic title={t('import.contactsCreated')} value={report.contacts.created} />
              <Statistic title={t('import.errors')} value={report.errors.length} valueStyle={report.errors.length ? { color: '#cf1322' } : undefined} />
            </Flex>
            {report.errors.length > 0 && (
              <Table
                size="small"
                rowKey={(e) => `${e.row}-${e.column ?? ''}-${e.code}`}
                dataSource={report.errors}
                pagination={{ pageSize: 8, hideOnSinglePage: true }}
                columns={[
                  { key: 'row', dataIndex: 'row', title: t('import.row'), width: 70 },
                  { key: 'column', dataIndex: 'column', title: t('import.column'), width: 140, render: (c?: string) => c ?? '—' },
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
