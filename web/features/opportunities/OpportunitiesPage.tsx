import { AppstoreOutlined, PlusOutlined, UnorderedListOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, DatePicker, Flex, Input, Segmented, Select, Skeleton, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { OPPORTUNITY_STATUSES } from '../../../common/schemas/opportunities';
import { useAllBranches, useAllBusinessLines, useAllRegions, useDirectory } from '../../api/queries';
import { opportunitiesApi, type OpportunityFilterParams, type OpportunityListParams } from '../../api/resources';
import { mayUseDirectory } from '../../../common/permissions';
import { can, useMe } from '../../auth/session';
import { failedWithoutData, LoadError } from '../../components/QueryState';
import { EmptyState } from '../../components/EmptyState';
import { personLabel } from '../../components/labels';
import { PageContainer } from '../../components/PageContainer';
import { useLocale, useT } from '../../i18n';
import { DepartmentTreeSelect } from '../../components/DepartmentTreeSelect';
import { DRILL_KEYS, isFiltered, useOpportunityUrl, type Mode, type OpportunityView } from './filters';
import { useStages } from './opportunity-ui';
import { MoneyInput } from '../../components/MoneyInput';
import { compareMoney } from '../../components/money';
import { OpportunitiesTable } from './OpportunitiesTable';
import { OpportunityBoard } from './OpportunityBoard';
import { OpportunityFormDrawer } from './OpportunityFormDrawer';

/** Min and max amount, applied when the field is left or Enter is pressed (not on every keystroke). */
function AmountRange({
  min,
  max,
  onChange,
}: {
  min?: string;
  max?: string;
  onChange: (min?: string, max?: string) => void;
}) {
  const t = useT();
  const [low, setLow] = useState<string | null>(min ?? null);
  const [high, setHigh] = useState<string | null>(max ?? null);
  useEffect(() => setLow(min ?? null), [min]);
  useEffect(() => setHigh(max ?? null), [max]);
  const commit = () => {
    let a = low ?? undefined;
    let b = high ?? undefined;
    if (a && b && compareMoney(a, b) > 0) [a, b] = [b, a];
    if (a !== min || b !== max) onChange(a, b);
  };
  return (
    <Flex gap={4} align="center" data-testid="amount-range">
      <MoneyInput
        value={low}
        onChange={setLow}
        onBlur={commit}
        onPressEnter={commit}
        placeholder={t('opp.minAmount')}
        aria-label={t('opp.minAmount')}
        style={{ width: 140 }}
      />
      <Typography.Text type="secondary">~</Typography.Text>
      <MoneyInput
        value={high}
        onChange={setHigh}
        onBlur={commit}
        onPressEnter={commit}
        placeholder={t('opp.maxAmount')}
        aria-label={t('opp.maxAmount')}
        style={{ width: 140 }}
      />
    </Flex>
  );
}

type Patch = Record<string, string | undefined>;

/**
 * The filters a report's drill-down brings (销售漏斗流失: entered a stage in a range, lost at it, moved on from it,
 * in it now, a lost reason; 销售预测: no close date) as tags, each taken off with its ×.
 */
function DrillTags({ filters, onClear }: { filters: OpportunityFilterParams; onClear: (patch: Patch) => void }) {
  const t = useT();
  const { locale } = useLocale();
  const stages = useStages();
  const byId = useMemo(
    () => new Map((stages.data ?? []).map((s) => [s.id, locale === 'en-US' ? s.nameEn : s.nameZh])),
    [stages.data, locale],
  );
  const names = (ids?: string) => {
    if (!ids) return t('opp.filter.anyStage');
    if (stages.isPending) return '…';
    const found = new Set(ids.split(',').map((id) => byId.get(id.toLowerCase()) ?? t('opp.filter.unknownStage')));
    return [...found].join(locale === 'en-US' ? ', ' : '、');
  };
  const tags: { key: string; text: string; clear: Patch }[] = [];
  if (filters.stageId)
    tags.push({
      key: 'stage',
      text: t('opp.filter.stage', { stages: names(filters.stageId) }),
      clear: { stageId: undefined },
    });
  if (filters.enteredStageId || filters.enteredFrom || filters.enteredTo) {
    const range =
      filters.enteredFrom || filters.enteredTo ? ` ${filters.enteredFrom ?? '…'} ~ ${filters.enteredTo ?? '…'}` : '';
    tags.push({
      key: 'entered',
      text: t('opp.filter.entered', { stages: names(filters.enteredStageId), range }),
      clear: { enteredStageId: undefined, enteredFrom: undefined, enteredTo: undefined },
    });
  }
  if (filters.lostAtStageId)
    tags.push({
      key: 'lostAt',
      text: t('opp.filter.lostAt', { stages: names(filters.lostAtStageId) }),
      clear: { lostAtStageId: undefined },
    });
  if (filters.movedOnFromStageId)
    tags.push({
      key: 'movedOn',
      text: t('opp.filter.movedOn', { stages: names(filters.movedOnFromStageId) }),
      clear: { movedOnFromStageId: undefined },
    });
  if (filters.lostReason)
    tags.push({
      key: 'lostReason',
      text: t('opp.filter.lostReason', { reason: filters.lostReason }),
      clear: { lostReason: undefined },
    });
  if (filters.noCloseDate)
    tags.push({ key: 'noCloseDate', text: t('opp.filter.noCloseDate'), clear: { noCloseDate: undefined } });
  return tags.map((tag) => (
    <Tag
      key={tag.key}
      closable
      color="geekblue"
      style={{ alignSelf: 'center', marginInlineEnd: 0, whiteSpace: 'normal' }}
      onClose={() => onClear(tag.clear)}
      data-testid={`drill-filter-${tag.key}`}
    >
      {tag.text}
    </Tag>
  ));
}

/** The business line last chosen on the board, per user, in this browser (localStorage). */
function useBoardLine(userId: string): [string | undefined, (lineId: string) => void] {
  const key = `gongdan.opportunities.boardLine.${userId}`;
  const [line, setLine] = useState<string | undefined>(() => {
    try {
      return localStorage.getItem(key) ?? undefined;
    } catch {
      return undefined; // storage unavailable (private mode): nothing remembered
    }
  });
  const remember = useCallback(
    (lineId: string) => {
      setLine(lineId);
      try {
        localStorage.setItem(key, lineId);
      } catch {
        // not remembered, still shown
      }
    },
    [key],
  );
  return [line, remember];
}

export function OpportunitiesPage() {
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const navigate = useNavigate();
  const writable = can(me, 'opportunities:write');
  const { mode, filters, list, write } = useOpportunityUrl();
  const [creating, setCreating] = useState(false);
  const lines = useAllBusinessLines();
  const regions = useAllRegions();
  const branches = useAllBranches();
  // The owner filter needs the directory of colleagues; without it (项目人员) there is no filter to offer.
  const ownerFilter = mayUseDirectory(me.grants);
  const directory = useDirectory(ownerFilter);

  const activeLines = useMemo(
    () => (lines.data ?? []).filter((l) => l.active).sort((a, b) => a.sortOrder - b.sortOrder),
    [lines.data],
  );
  // The list shows every business line unless one is chosen. The board shows one: the one in the
  // address, else the one last chosen on the board (remembered per user in this browser), else that
  // of the user's newest opportunity, else one they work in, else the first.
  const [rememberedLine, rememberLine] = useBoardLine(me.user.id);
  const remembered = activeLines.some((l) => l.id === rememberedLine) ? rememberedLine : undefined;
  const needsLine = mode === 'board' && !filters.businessLineId && !remembered && !lines.isPending;
  const newest = useQuery({
    queryKey: [opportunitiesApi.path, 'page', { view: 'mine', pageSize: 1, sort: '-createdAt' }],
    queryFn: () => opportunitiesApi.list({ view: 'mine', pageSize: 1, sort: '-createdAt' }),
    enabled: needsLine,
  });
  const boardLine =
    filters.businessLineId ??
    remembered ??
    (newest.isPending
      ? undefined
      : (newest.data?.items[0]?.businessLineId ??
        me.user.businessLineIds.find((id) => activeLines.some((l) => l.id === id)) ??
        activeLines[0]?.id));
  // A line chosen for the board (or opened on it from a link) is the board's next default.
  useEffect(() => {
    if (mode === 'board' && filters.businessLineId) rememberLine(filters.businessLineId);
  }, [mode, filters.businessLineId, rememberLine]);
  const lineShown = mode === 'board' ? boardLine : filters.businessLineId;

  const filtered = isFiltered(filters, mode === 'board');
  const options = (items: { id: string; name: string; active?: boolean }[] | undefined) =>
    (items ?? []).map((i) => ({ value: i.id, label: i.name }));
  const views: OpportunityView[] = can(me, 'opportunities:read', 'department')
    ? ['visible', 'mine', 'team', 'member']
    : ['visible', 'mine', 'member'];

  return (
    <PageContainer
      title={t('opp.nav')}
      hint={t(writable ? 'opp.pageHint' : 'opp.pageHintReadOnly')}
      extra={
        <>
          <Segmented<Mode>
            data-testid="opp-mode"
            value={mode}
            // The board's line is the board's: the list opens on every line.
            onChange={(m) => write({ mode: m, ...(m === 'list' ? { businessLineId: undefined } : {}) }, false)}
            options={[
              { value: 'board', label: t('opp.mode.board'), icon: <AppstoreOutlined /> },
              { value: 'list', label: t('opp.mode.list'), icon: <UnorderedListOutlined /> },
            ]}
          />
          {writable && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="opp-create">
              {t('opp.create')}
            </Button>
          )}
        </>
      }
    >
      <Card>
        <Flex vertical gap={12} style={{ marginBottom: 16 }}>
          <Segmented<OpportunityView>
            data-testid="opp-views"
            value={filters.view ?? 'visible'}
            onChange={(view) => write({ view })}
            options={views.map((v) => ({ value: v, label: t(`opp.view.${v}`) }))}
          />
          <Flex gap={8} wrap data-testid="opp-filters">
            <Input.Search
              allowClear
              key={filters.q ?? ''}
              defaultValue={filters.q}
              placeholder={t('opp.searchPlaceholder')}
              aria-label={t('common.search')}
              style={{ width: 260 }}
              onSearch={(q) => write({ q: q.trim() || undefined })}
            />
            <Select
              allowClear={mode === 'list'}
              placeholder={t('opp.allLines')}
              aria-label={t('opp.businessLine')}
              style={{ width: 170 }}
              options={options(activeLines)}
              loading={lines.isPending}
              value={lineShown}
              onChange={(businessLineId) => write({ businessLineId })}
              data-testid="filter-line"
            />
            <Select
              allowClear
              placeholder={t('opp.region')}
              aria-label={t('opp.region')}
              style={{ width: 120 }}
              options={options(regions.data?.filter((r) => r.active))}
              value={filters.regionId}
              onChange={(regionId) => write({ regionId })}
            />
            <Select
              allowClear
              placeholder={t('opp.branch')}
              aria-label={t('opp.branch')}
              style={{ width: 120 }}
              options={options(branches.data?.filter((b) => b.active || b.id === filters.branchId))}
              value={filters.branchId}
              onChange={(branchId) => write({ branchId })}
              data-testid="filter-branch"
            />
            <DepartmentTreeSelect
              allowInactive
              placeholder={t('opp.department')}
              aria-label={t('opp.department')}
              style={{ width: 170 }}
              value={filters.departmentId}
              onChange={(departmentId) => write({ departmentId })}
            />
            {ownerFilter && (
              <Select
                allowClear
                showSearch={{ optionFilterProp: 'label' }}
                placeholder={t('opp.owner')}
                aria-label={t('opp.owner')}
                style={{ width: 170 }}
                options={(directory.data ?? []).map((u) => ({ value: u.id, label: personLabel(locale, u) }))}
                value={filters.ownerId}
                onChange={(ownerId) => write({ ownerId })}
                data-testid="filter-owner"
              />
            )}
            <AmountRange
              min={filters.minAmount}
              max={filters.maxAmount}
              onChange={(minAmount, maxAmount) => write({ minAmount, maxAmount })}
            />
            <DatePicker.RangePicker
              allowEmpty={[true, true]}
              placeholder={[t('opp.closeFrom'), t('opp.closeTo')]}
              aria-label={t('opp.closeOn')}
              style={{ width: 250 }}
              value={[
                filters.closeFrom ? dayjs(filters.closeFrom) : null,
                filters.closeTo ? dayjs(filters.closeTo) : null,
              ]}
              onChange={(range) =>
                write({ closeFrom: range?.[0]?.format('YYYY-MM-DD'), closeTo: range?.[1]?.format('YYYY-MM-DD') })
              }
            />
            {mode === 'list' && (
              <Select
                allowClear
                placeholder={t('opp.statusLabel')}
                aria-label={t('opp.statusLabel')}
                style={{ width: 110 }}
                options={OPPORTUNITY_STATUSES.map((s) => ({ value: s, label: t(`opp.status.${s}`) }))}
                value={filters.status}
                onChange={(status) => write({ status })}
              />
            )}
            <DrillTags filters={filters} onClear={(patch) => write(patch)} />
            {(filters.closedFrom || filters.closedTo) && (
              <Tag closable onClose={() => write({ closedFrom: undefined, closedTo: undefined })}>
                {t('opp.filter.closed', { from: filters.closedFrom ?? '…', to: filters.closedTo ?? '…' })}
              </Tag>
            )}
            {filtered && (
              <Button
                type="link"
                onClick={() =>
                  write({
                    q: undefined,
                    regionId: undefined,
                    ownerId: undefined,
                    minAmount: undefined,
                    maxAmount: undefined,
                    closeFrom: undefined,
                    closeTo: undefined,
                    status: undefined,
                    branchId: undefined,
                    departmentId: undefined,
                    ...Object.fromEntries(DRILL_KEYS.map((key) => [key, undefined])),
                    closedFrom: undefined,
                    closedTo: undefined,
                    ...(mode === 'list' ? { businessLineId: undefined } : {}),
                  })
                }
              >
                {t('opp.clearFilters')}
              </Button>
            )}
          </Flex>
        </Flex>
        {mode === 'board' ? (
          boardLine ? (
            <OpportunityBoard
              filters={{ ...filters, businessLineId: boardLine, status: undefined }}
              businessLineId={boardLine}
              writable={writable}
              onCreate={() => setCreating(true)}
            />
          ) : failedWithoutData(lines) ? (
            <LoadError query={lines} />
          ) : lines.isPending || (needsLine && newest.isPending) ? (
            <Skeleton active />
          ) : (
            <EmptyState title={t('opp.noLines')} hint={t('opp.noLinesHint')} />
          )
        ) : (
          <OpportunitiesTable
            params={list}
            filters={filters}
            filtered={filtered || Boolean(filters.businessLineId)}
            writable={writable}
            onCreate={() => setCreating(true)}
            onParams={(next: OpportunityListParams) =>
              write(
                {
                  page: next.page === 1 ? undefined : next.page,
                  pageSize: next.pageSize === 20 ? undefined : next.pageSize,
                  sort: next.sort,
                },
                false,
              )
            }
          />
        )}
      </Card>
      {writable && (
        <OpportunityFormDrawer
          open={creating}
          opportunity={null}
          defaultBusinessLineId={lineShown}
          onClose={() => setCreating(false)}
          onCreated={(o) => navigate(`/opportunities/${o.id}`)}
        />
      )}
    </PageContainer>
  );
}
