import { UndoOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { App, Button, Flex, InputNumber, Skeleton, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { isApiError } from '../../api/client';
import { useWrite } from '../../api/queries';
import { salesCycleTargetsApi } from '../../api/resources';
import { useErrorToast } from '../../components/errors';
import { EmptyState } from '../../components/EmptyState';
import { failedWithoutData, LoadError } from '../../components/QueryState';
import { useT } from '../../i18n';

type Days = Record<string, number | null>;

/**
 * 销售周期目标: the firm's best practice, a target in days per business line (1–3650; empty for none), the yardstick of
 * the sales-cycle report. The whole set is saved at once. One line a row that wraps, so it reads at 390 px.
 */
export function SalesCycleTargetsPanel() {
  const t = useT();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const targets = useQuery({ queryKey: [salesCycleTargetsApi.path], queryFn: salesCycleTargetsApi.get });
  const [days, setDays] = useState<Days>({});
  const saved = (): Days =>
    Object.fromEntries((targets.data?.items ?? []).map((i) => [i.businessLineId, i.targetDays]));
  const reset = () => setDays(saved());
  useEffect(reset, [targets.data]); // eslint-disable-line react-hooks/exhaustive-deps
  const dirty = (targets.data?.items ?? []).some((i) => (days[i.businessLineId] ?? null) !== i.targetDays);

  const mutation = useWrite(
    () =>
      salesCycleTargetsApi.save({
        items: Object.entries(days)
          .filter((entry): entry is [string, number] => entry[1] !== null)
          .map(([businessLineId, targetDays]) => ({ businessLineId, targetDays })),
      }),
    [salesCycleTargetsApi.path],
  );
  const save = () =>
    mutation.mutate(undefined, {
      onSuccess: () => void message.success(t('common.saved')),
      onError: (error) => {
        const issues = isApiError(error, 'VALIDATION_FAILED')
          ? (error.details as { issues?: { message: string }[] })?.issues
          : undefined;
        if (issues?.length) void message.error(issues.map((i) => i.message).join('；'));
        else toast(error);
      },
    });

  if (failedWithoutData(targets)) return <LoadError query={targets} />;
  if (targets.isPending) return <Skeleton active />;
  const items = targets.data?.items ?? [];
  return (
    <Flex vertical gap={12} data-testid="sales-cycle-targets">
      <Typography.Text type="secondary">{t('targets.hint')}</Typography.Text>
      {items.length === 0 ? (
        <EmptyState title={t('targets.noLines')} />
      ) : (
        <Flex vertical gap={8} style={{ maxWidth: 520 }}>
          {items.map((item) => (
            <Flex key={item.businessLineId} justify="space-between" align="center" gap={12} wrap>
              <Typography.Text>
                {item.businessLineName}
                {!item.active && (
                  <Tag style={{ marginInlineStart: 8 }} color="default">
                    {t('targets.inactive')}
                  </Tag>
                )}
              </Typography.Text>
              <InputNumber<number>
                min={1}
                max={3650}
                precision={0}
                placeholder={t('targets.none')}
                value={days[item.businessLineId] ?? null}
                onChange={(value) => setDays((d) => ({ ...d, [item.businessLineId]: value ?? null }))}
                suffix={t('targets.days')}
                style={{ width: 150 }}
                aria-label={t('targets.of', { line: item.businessLineName })}
                data-testid="target-days"
              />
            </Flex>
          ))}
        </Flex>
      )}
      <Flex justify="flex-end" gap={8} wrap>
        <Button icon={<UndoOutlined />} onClick={reset} disabled={!dirty || mutation.isPending}>
          {t('pipeline.discard')}
        </Button>
        <Button type="primary" onClick={save} loading={mutation.isPending} disabled={!dirty} data-testid="targets-save">
          {t('common.save')}
        </Button>
      </Flex>
    </Flex>
  );
}
