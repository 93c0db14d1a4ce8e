import { Tag, Tooltip } from 'antd';
import { Link } from 'react-router';
import type { RenewalState } from '../../../common/schemas/renewals';
import { renewalRulesApi, renewalsApi, renewalsDueApi, opportunitiesApi, todayApi } from '../../api/resources';
import { useT } from '../../i18n';

/** What raising a renewal (or running the job) changes: both lists, the rate, Today, the opportunities. */
export const RENEWAL_INVALIDATES = [
  renewalsApi.path,
  renewalsDueApi.path,
  renewalRulesApi.path,
  todayApi.path,
  opportunitiesApi.path,
];

const STATE_COLORS: Record<RenewalState, string> = {
  raised: 'processing',
  won: 'success',
  lost: 'error',
  skipped: 'default',
};

export function RenewalStateTag({ state }: { state: RenewalState }) {
  const t = useT();
  return (
    <Tag color={STATE_COLORS[state]} style={{ marginInlineEnd: 0 }} data-testid="renewal-state" data-state={state}>
      {t(`renewal.state.${state}`)}
    </Tag>
  );
}

/** 待复盘: a customer lost at renewal asks for a lesson, written on the opportunity. */
export function LessonFlag({ opportunityId }: { opportunityId: string | null }) {
  const t = useT();
  const tag = (
    <Tag color="orange" style={{ marginInlineEnd: 0 }} data-testid="renewal-lesson-flag">
      {t('renewal.lessonFlag')}
    </Tag>
  );
  return (
    <Tooltip title={t('renewal.lessonFlagHint')}>
      {opportunityId ? <Link to={`/opportunities/${opportunityId}`}>{tag}</Link> : tag}
    </Tooltip>
  );
}
