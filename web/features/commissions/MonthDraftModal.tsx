import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, DatePicker, Flex, List, Modal, Progress, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { commissionSheetsApi } from '../../api/resources';
import { errorText } from '../../components/errors';
import { firmToday } from '../../components/format';
import { Loaded } from '../../components/QueryState';
import { useT } from '../../i18n';
import { COMMISSION_INVALIDATES } from './commission-ui';

/** The month's drafting as it runs: a progress bar polled every second, then drafted N, skipped M with the reasons. */
function MonthRun({ id }: { id: string }) {
  const t = useT();
  const client = useQueryClient();
  const query = useQuery({
    queryKey: [commissionSheetsApi.monthPath, id],
    queryFn: () => commissionSheetsApi.month(id),
    refetchInterval: (q) => (q.state.data?.status === 'running' ? 1000 : false),
  });
  const finished = query.data && query.data.status !== 'running';
  useEffect(() => {
    if (finished) for (const key of COMMISSION_INVALIDATES) void client.invalidateQueries({ queryKey: [key] });
  }, [finished, client]);
  return (
    <Loaded query={query}>
      {() => {
        const m = query.data!;
        if (m.status === 'failed')
          return <Alert type="error" showIcon message={t('commission.sheet.draftMonthFailed')} />;
        if (m.status === 'running')
          return (
            <div data-testid="month-draft-progress">
              <Progress percent={m.total ? Math.floor((m.done / m.total) * 100) : 0} status="active" />
              <Typography.Text type="secondary">
                {t('commission.sheet.draftMonthProgress', { done: m.done, total: m.total })}
              </Typography.Text>
            </div>
          );
        const r = m.result!;
        if (r.subjects === 0) return <Alert type="info" showIcon message={t('commission.sheet.draftMonthNone')} />;
        return (
          <Flex vertical gap={12} data-testid="month-draft-result">
            <Progress percent={100} />
            <Alert
              type={r.skipped ? 'warning' : 'success'}
              showIcon
              message={t('commission.sheet.draftMonthDone', { drafted: r.drafted, skipped: r.skipped })}
            />
            {r.skipped > 0 && (
              <List
                size="small"
                header={t('commission.sheet.draftMonthSkipped')}
                style={{ maxHeight: 320, overflow: 'auto' }}
                dataSource={r.skippedSubjects}
                renderItem={(s) => (
                  <List.Item>
                    <Flex vertical style={{ minWidth: 0 }}>
                      <Typography.Text strong style={{ whiteSpace: 'normal' }}>
                        {s.subjectNumber ? `${s.subjectNumber} ` : ''}
                        {s.subjectTitle}
                      </Typography.Text>
                      <Typography.Text type="secondary" style={{ whiteSpace: 'normal' }}>
                        {s.message}
                      </Typography.Text>
                    </Flex>
                  </List.Item>
                )}
                footer={
                  r.skipped > r.skippedSubjects.length
                    ? t('commission.sheet.draftMonthMore', { count: r.skipped - r.skippedSubjects.length })
                    : undefined
                }
              />
            )}
          </Flex>
        );
      }}
    </Loaded>
  );
}

/**
 * 生成本月全部分配表: choose a month (the last one by default), draft every sheet of it that the reader may draft on the
 * server's job queue, follow its progress, then see what was drafted and what was skipped, and why.
 */
export function MonthDraftModal({ onClose }: { onClose: () => void }) {
  const t = useT();
  const thisMonth = dayjs(firmToday()).startOf('month');
  const [month, setMonth] = useState<Dayjs>(thisMonth.subtract(1, 'month'));
  const [jobId, setJobId] = useState<string | null>(null);
  const start = useMutation({
    mutationFn: () => commissionSheetsApi.draftMonth(month.format('YYYY-MM')),
    onSuccess: ({ id }) => setJobId(id),
  });
  return (
    <Modal
      open
      title={t('commission.sheet.draftMonthTitle')}
      onCancel={onClose}
      width={560}
      footer={
        jobId ? (
          <Flex justify="end" gap={8}>
            <Button onClick={() => setJobId(null)}>{t('commission.sheet.draftMonthAgain')}</Button>
            <Button type="primary" onClick={onClose}>
              {t('common.close')}
            </Button>
          </Flex>
        ) : (
          <Flex justify="end" gap={8}>
            <Button onClick={onClose}>{t('common.cancel')}</Button>
            <Button
              type="primary"
              loading={start.isPending}
              onClick={() => start.mutate()}
              data-testid="month-draft-start"
            >
              {t('commission.sheet.draftMonthStart')}
            </Button>
          </Flex>
        )
      }
    >
      <Flex vertical gap={12}>
        <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
          {t('commission.sheet.draftMonthHint')}
        </Typography.Paragraph>
        {jobId ? (
          <MonthRun id={jobId} />
        ) : (
          <>
            <DatePicker
              picker="month"
              allowClear={false}
              aria-label={t('commission.sheet.period')}
              value={month}
              onChange={(d) => d && setMonth(d)}
              disabledDate={(d) => d.isAfter(thisMonth, 'month')}
              style={{ width: 160 }}
              data-testid="month-draft-period"
            />
            {start.error && <Alert type="error" showIcon message={errorText(t, start.error)} />}
          </>
        )}
      </Flex>
    </Modal>
  );
}
