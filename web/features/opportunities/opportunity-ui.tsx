import { useQuery } from '@tanstack/react-query';
import { Tag, Typography, type ButtonProps } from 'antd';
import type { CSSProperties } from 'react';
import type {
  OpportunityStatus,
  QUOTE_STATUSES,
  Stage,
  StageRequirement,
  TASK_STATUSES,
} from '../../../common/schemas/opportunities';
import { pipelinesApi } from '../../api/resources';
import { firmToday, formatDate } from '../../components/format';
import { localName } from '../../components/labels';
import { useLocale, useT, type Translate } from '../../i18n';

/** A stage's name in the UI language. */
export const stageName = localName;

export const STATUS_COLORS: Record<OpportunityStatus, string> = { open: 'processing', won: 'success', lost: 'default' };

export function OpportunityStatusTag({ status }: { status: OpportunityStatus }) {
  const t = useT();
  return (
    <Tag color={STATUS_COLORS[status]} style={{ marginInlineEnd: 0 }} data-testid="opp-status">
      {t(`opp.status.${status}`)}
    </Tag>
  );
}

/** The stage an opportunity is in; won green, lost grey. */
export function StageTag({ nameZh, nameEn, status }: { nameZh: string; nameEn: string; status: OpportunityStatus }) {
  const { locale } = useLocale();
  const color = status === 'won' ? 'green' : status === 'lost' ? 'default' : 'blue';
  return (
    <Tag color={color} style={{ marginInlineEnd: 0 }}>
      {stageName({ nameZh, nameEn }, locale)}
    </Tag>
  );
}

/** The expected close date; red when it has passed while the opportunity is still open. */
export function CloseDate({
  date,
  open = true,
  testId,
  style,
}: {
  date: string | null;
  open?: boolean;
  testId?: string;
  style?: CSSProperties;
}) {
  const { locale } = useLocale();
  if (!date)
    return (
      <Typography.Text type="secondary" style={style}>
        —
      </Typography.Text>
    );
  const overdue = open && date < firmToday();
  return (
    <Typography.Text
      type={overdue ? 'danger' : undefined}
      style={style}
      data-testid={testId}
      data-overdue={overdue || undefined}
    >
      {formatDate(date, locale)}
    </Typography.Text>
  );
}

/** Whole days since an instant. */
export function daysSince(iso: string, now = Date.now()): number {
  return Math.max(0, Math.floor((now - new Date(iso).getTime()) / 86_400_000));
}

export const requirementLabel = (t: Translate, key: StageRequirement | string) => {
  const text = t(`opp.requirement.${key}` as Parameters<Translate>[0]);
  return text.startsWith('opp.requirement.') ? key : text;
};

export const QUOTE_STATUS_COLORS: Record<(typeof QUOTE_STATUSES)[number], string> = {
  draft: 'default',
  sent: 'blue',
  accepted: 'green',
  rejected: 'red',
};
export const TASK_STATUS_COLORS: Record<(typeof TASK_STATUSES)[number], string> = {
  todo: 'default',
  doing: 'blue',
  done: 'green',
};

/** Every active stage of every pipeline. */
export const useStages = () =>
  useQuery({ queryKey: [pipelinesApi.path, 'stages'], queryFn: pipelinesApi.stages, staleTime: 60_000 });

/** A business line's pipeline (its own or the default); null: the default pipeline. */
export const usePipeline = (businessLineId: string | null | undefined, enabled = true) =>
  useQuery({
    queryKey: [pipelinesApi.path, businessLineId ?? 'default'],
    queryFn: () => pipelinesApi.get(businessLineId),
    enabled,
    staleTime: 60_000,
  });

/** Stages in pipeline order. */
export const byPosition = (a: Stage, b: Stage) => a.position - b.position;

/** `data-testid` for the button props of a Modal (antd's ButtonProps type does not list data-* attributes). */
export const testId = (id: string) => ({ 'data-testid': id }) as ButtonProps;
