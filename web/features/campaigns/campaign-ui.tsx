import { Tag, Typography } from 'antd';
import type { CAMPAIGN_STATUSES, CAMPAIGN_TYPES } from '../../../common/schemas/campaigns';
import { formatDate } from '../../components/format';
import { useLocale, useT } from '../../i18n';

type CampaignType = (typeof CAMPAIGN_TYPES)[number];
type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

const TYPE_COLORS: Record<CampaignType, string> = {
  seminar: 'purple',
  mailing: 'blue',
  referral: 'green',
  web: 'cyan',
  exhibition: 'orange',
  other: 'default',
};
const STATUS_COLORS: Record<CampaignStatus, string> = {
  planned: 'default',
  active: 'processing',
  completed: 'success',
  cancelled: 'error',
};

export function CampaignTypeTag({ type }: { type: CampaignType }) {
  const t = useT();
  return (
    <Tag color={TYPE_COLORS[type]} style={{ marginInlineEnd: 0 }}>
      {t(`campaigns.type.${type}`)}
    </Tag>
  );
}

export function CampaignStatusTag({ status }: { status: CampaignStatus }) {
  const t = useT();
  return (
    <Tag color={STATUS_COLORS[status]} style={{ marginInlineEnd: 0 }} data-testid={`campaign-status-${status}`}>
      {t(`campaigns.status.${status}`)}
    </Tag>
  );
}

/** "2026-03-01 – 2026-03-02", one side alone when the other is open, a dash when neither is set. */
export function CampaignDates({ startsOn, endsOn }: { startsOn: string | null; endsOn: string | null }) {
  const { locale } = useLocale();
  if (!startsOn && !endsOn) return <Typography.Text type="secondary">—</Typography.Text>;
  if (startsOn === endsOn) return <>{formatDate(startsOn, locale)}</>;
  return (
    <>
      {formatDate(startsOn, locale) || '…'} – {formatDate(endsOn, locale) || '…'}
    </>
  );
}

/** Converted ÷ leads in whole percent ("—" without leads). */
export function conversionRate(leadCount: number, convertedCount: number): string {
  return leadCount === 0 ? '—' : `${Math.round((convertedCount * 100) / leadCount)}%`;
}
