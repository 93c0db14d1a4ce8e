import { CheckCircleFilled } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, Checkbox, Flex, Input, Progress, Skeleton, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useWrite } from '../../api/queries';
import { opportunitiesApi } from '../../api/resources';
import { failedWithoutData, LoadError } from '../../components/QueryState';
import { useErrorToast } from '../../components/errors';
import { formatDateTime } from '../../components/format';
import { useLocale, useT } from '../../i18n';

type Answers = Record<string, { checked: boolean; note: string }>;

/** 业务承接检查表: the line's acceptance checklist, to complete before the opportunity can be won. */
export function AcceptanceCard({
  opportunityId,
  editable,
  open,
}: {
  opportunityId: string;
  editable: boolean;
  open: boolean;
}) {
  const t = useT();
  const { locale } = useLocale();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const acceptance = useQuery({
    queryKey: [opportunitiesApi.path, opportunityId, 'acceptance'],
    queryFn: () => opportunitiesApi.acceptance(opportunityId),
  });
  const [answers, setAnswers] = useState<Answers>({});
  const save = useWrite(
    (a: Answers) =>
      opportunitiesApi.saveAcceptance(opportunityId, {
        answers: Object.fromEntries(
          Object.entries(a).map(([k, v]) => [k, { checked: v.checked, note: v.note.trim() || null }]),
        ),
      }),
    [opportunitiesApi.path],
  );

  useEffect(() => {
    if (acceptance.data)
      setAnswers(
        Object.fromEntries(acceptance.data.items.map((i) => [i.key, { checked: i.checked, note: i.note ?? '' }])),
      );
  }, [acceptance.data]);

  if (acceptance.isPending || failedWithoutData(acceptance))
    return (
      <Card size="small" title={t('acceptance.title')}>
        {acceptance.isPending ? <Skeleton active paragraph={{ rows: 3 }} /> : <LoadError query={acceptance} compact />}
      </Card>
    );
  const data = acceptance.data;
  if (!data || (!data.required && data.items.length === 0)) return null;

  const done = data.items.filter((i) => answers[i.key]?.checked).length;
  const total = data.items.length;
  const dirty = data.items.some(
    (i) => answers[i.key] && (answers[i.key].checked !== i.checked || answers[i.key].note !== (i.note ?? '')),
  );
  const canEdit = editable && open;

  return (
    <Card
      size="small"
      title={t('acceptance.title')}
      data-testid="acceptance-card"
      extra={
        data.complete ? (
          <Typography.Text type="success">
            <CheckCircleFilled /> {t('acceptance.complete')}
          </Typography.Text>
        ) : null
      }
    >
      <Flex vertical gap={8}>
        <Progress
          percent={total ? Math.round((done / total) * 100) : 0}
          format={() => `${done}/${total}`}
          status={done === total && total > 0 ? 'success' : 'active'}
          data-testid="acceptance-progress"
        />
        {data.required && !data.complete && <Alert type="info" showIcon title={t('acceptance.beforeWin')} />}
        {data.items.map((item) => {
          const answer = answers[item.key] ?? { checked: false, note: '' };
          return (
            <Flex
              key={item.key}
              vertical
              gap={4}
              data-testid="acceptance-item"
              style={{ borderBottom: '1px dashed #f0f0f0', paddingBottom: 8 }}
            >
              <Checkbox
                checked={answer.checked}
                disabled={!canEdit}
                onChange={(e) => setAnswers((a) => ({ ...a, [item.key]: { ...answer, checked: e.target.checked } }))}
              >
                {locale === 'zh-CN' ? item.labelZh : item.labelEn}
              </Checkbox>
              {canEdit ? (
                <Input
                  size="small"
                  placeholder={t('acceptance.notePlaceholder')}
                  value={answer.note}
                  maxLength={500}
                  onChange={(e) => setAnswers((a) => ({ ...a, [item.key]: { ...answer, note: e.target.value } }))}
                  style={{ marginInlineStart: 24, width: 'calc(100% - 24px)' }}
                />
              ) : (
                item.note && (
                  <Typography.Text type="secondary" style={{ marginInlineStart: 24 }}>
                    {item.note}
                  </Typography.Text>
                )
              )}
              {item.at && (
                <Typography.Text type="secondary" style={{ fontSize: 12, marginInlineStart: 24 }}>
                  {t('acceptance.checkedBy', { name: item.byUserName ?? '—', at: formatDateTime(item.at, locale) })}
                </Typography.Text>
              )}
            </Flex>
          );
        })}
        {canEdit && (
          <Flex justify="flex-end">
            <Button
              type="primary"
              disabled={!dirty}
              loading={save.isPending}
              onClick={() => save.mutateAsync(answers).then(() => void message.success(t('common.saved')), toast)}
              data-testid="acceptance-save"
            >
              {t('common.save')}
            </Button>
          </Flex>
        )}
      </Flex>
    </Card>
  );
}
