import { Select, Tag, Typography, type SelectProps } from 'antd';
import { useMemo, useState } from 'react';
import type { Lead, LeadHistory, LeadStatus } from '../../../common/schemas/leads';
import { useAll } from '../../api/queries';
import { campaignsApi } from '../../api/resources';
import { useT, type Translate, type WebMessageKey } from '../../i18n';

const STATUS_COLORS: Record<LeadStatus, string> = {
  new: 'blue',
  contacting: 'gold',
  qualified: 'green',
  disqualified: 'default',
  converted: 'purple',
};

export function LeadStatusTag({ status }: { status: LeadStatus }) {
  const t = useT();
  return (
    <Tag color={STATUS_COLORS[status]} style={{ marginInlineEnd: 0 }} data-testid={`lead-status-${status}`}>
      {t(`lead.status.${status}`)}
    </Tag>
  );
}

/** The name of a department queue, or the firm-wide queue's when the lead waits in none. */
export function queueName(t: Translate, departmentName: string | null): string {
  return departmentName ? t('lead.queueOf', { department: departmentName }) : t('lead.queueFirm');
}

/** The owner of a lead, or a 待分配 tag naming the queue it waits in. */
export function LeadOwner({ lead }: { lead: Pick<Lead, 'ownerId' | 'ownerName' | 'queueDepartmentName'> }) {
  const t = useT();
  if (lead.ownerId) return <Typography.Text>{lead.ownerName}</Typography.Text>;
  return (
    <Tag color="orange" style={{ marginInlineEnd: 0 }} data-testid="lead-unassigned">
      {t('lead.unassigned')} · {lead.queueDepartmentName ?? t('lead.queueFirmShort')}
    </Tag>
  );
}

/**
 * Where a new lead went, in one sentence: to whom and by which rule, or into which queue. Read
 * from the created lead and the last assignment of its history (null when the creator may not
 * see the lead any more: then the rule's name is unknown, only that the rules decided).
 */
export function assignmentOutcome(t: Translate, lead: Lead, history: LeadHistory | null, byRules: boolean): string {
  const last = history?.assignments.length
    ? [...history.assignments].sort((a, b) => a.at.localeCompare(b.at)).at(-1)
    : undefined;
  const rule = lead.assignedByRule ?? last?.ruleName;
  if (lead.ownerId) {
    if (rule) return t('lead.outcomeRule', { rule, name: lead.ownerName ?? '' });
    if (byRules && !history) return t('lead.outcomeRules', { name: lead.ownerName ?? '' });
    return t('lead.outcomeDirect', { name: lead.ownerName ?? '' });
  }
  if (rule) return t('lead.outcomeRuleQueue', { rule, queue: queueName(t, lead.queueDepartmentName) });
  if (!history) return t('lead.outcomeToQueue', { queue: queueName(t, lead.queueDepartmentName) });
  return t('lead.outcomeQueue', { queue: queueName(t, lead.queueDepartmentName) });
}

/**
 * Usual lead sources. They are stored in Chinese (the firm's data language, as on customers, so
 * assignment rules match whatever the UI language of whoever typed them) and shown translated.
 */
export const LEAD_SOURCES: { value: string; key: WebMessageKey }[] = [
  { value: '市场活动', key: 'lead.source.campaign' },
  { value: '老客户介绍', key: 'lead.source.referral' },
  { value: '网站咨询', key: 'lead.source.website' },
  { value: '来电咨询', key: 'lead.source.inbound' },
  { value: '电话营销', key: 'lead.source.telemarketing' },
  { value: '展会', key: 'lead.source.exhibition' },
  { value: '其他', key: 'lead.source.other' },
];

/** A stored source for display: the usual ones translated, anything else as typed. */
export function sourceLabel(t: Translate, source: string | null | undefined): string | null {
  if (!source) return null;
  const known = LEAD_SOURCES.find((s) => s.value === source);
  return known ? t(known.key) : source;
}

/** Picks a usual source or keeps whatever the user types (free text, up to 100 characters). */
export function SourceSelect({
  value,
  onChange,
  ...rest
}: { value?: string | null; onChange?: (value: string | undefined) => void } & Omit<
  SelectProps,
  'value' | 'onChange' | 'options'
>) {
  const t = useT();
  const [typed, setTyped] = useState('');
  const options = useMemo(() => {
    const list = LEAD_SOURCES.map((s) => ({ value: s.value, label: t(s.key) }));
    for (const extra of [value, typed.trim()]) {
      if (extra && !list.some((o) => o.value === extra)) list.push({ value: extra, label: extra });
    }
    return list;
  }, [t, value, typed]);
  return (
    <Select
      allowClear
      showSearch={{ optionFilterProp: 'label', onSearch: (text) => setTyped(text.slice(0, 100)) }}
      value={value ?? undefined}
      onChange={(v) => {
        setTyped('');
        onChange?.(v ?? undefined);
      }}
      options={options}
      {...rest}
    />
  );
}

/** Campaigns for pickers and filters, newest first (cancelled ones flagged by status). */
export function useCampaignOptions(enabled = true) {
  const campaigns = useAll(campaignsApi, { sort: '-startsOn' }, enabled);
  const options = useMemo(
    () => (campaigns.data ?? []).map((c) => ({ value: c.id, label: c.name, status: c.status })),
    [campaigns.data],
  );
  return { options, isLoading: campaigns.isLoading };
}

/** Options of an active-only picker; an inactive value already on the record stays visible. */
export function activeOptions(
  items: { id: string; name: string; active: boolean }[] | undefined,
  current?: string | null,
) {
  return (items ?? [])
    .filter((i) => i.active || i.id === current)
    .map((i) => ({ value: i.id, label: i.name, disabled: !i.active }));
}

/** Options of a filter: every item, inactive ones too (old records carry them). */
export function filterOptions(items: { id: string; name: string }[] | undefined) {
  return (items ?? []).map((i) => ({ value: i.id, label: i.name }));
}
