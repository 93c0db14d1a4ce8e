import { App, Select, Typography } from 'antd';
import { RECURRING_CYCLES, type RecurringCycle } from '../../../common/schemas/renewals';
import { useWrite } from '../../api/queries';
import { recurringApi } from '../../api/resources';
import { useErrorToast } from '../../components/errors';
import { useT, type Translate } from '../../i18n';
import { CONTRACT_INVALIDATES } from './contract-ui';

/** 周期: 不循环 / 每月 / 每季度 / 每年 (the value '' stands for "not recurring"). */
export const recurringOptions = (t: Translate) => [
  { value: '', label: t('contract.recurring.none') },
  ...RECURRING_CYCLES.map((cycle) => ({ value: cycle, label: t(`contract.recurring.${cycle}`) })),
];

export const recurringLabel = (t: Translate, cycle: RecurringCycle | null) =>
  t(cycle ? `contract.recurring.${cycle}` : 'contract.recurring.none');

/**
 * A contract's or an order's recurring mark, and a way to change it (PATCH …/recurring) for who may write it;
 * read-only otherwise.
 */
export function RecurringControl({
  kind,
  id,
  value,
  editable,
}: {
  kind: 'contract' | 'order';
  id: string;
  value: RecurringCycle | null;
  editable: boolean;
}) {
  const t = useT();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const save = useWrite(
    (cycle: RecurringCycle | null): Promise<unknown> => recurringApi[kind](id, { recurringCycle: cycle }),
    CONTRACT_INVALIDATES,
  );
  if (!editable) return <Typography.Text data-testid={`${kind}-recurring`}>{recurringLabel(t, value)}</Typography.Text>;
  return (
    <Select
      size="small"
      style={{ minWidth: 120 }}
      value={value ?? ''}
      options={recurringOptions(t)}
      loading={save.isPending}
      disabled={save.isPending}
      aria-label={t('contract.recurring')}
      data-testid={`${kind}-recurring`}
      onChange={(next: string) =>
        save.mutate((next || null) as RecurringCycle | null, {
          onSuccess: () => void message.success(t('contract.recurringSaved')),
          onError: toast,
        })
      }
    />
  );
}
