import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { OPPORTUNITY_STATUSES, OPPORTUNITY_VIEWS } from '../../../common/schemas/opportunities';
import type { OpportunityFilterParams, OpportunityListParams } from '../../api/resources';

export type Mode = 'board' | 'list';
export type OpportunityView = (typeof OPPORTUNITY_VIEWS)[number];

/** Filters kept in the address, under the API's own names (a link to the page keeps them). */
const TEXT_KEYS = [
  'businessLineId',
  'regionId',
  'ownerId',
  'minAmount',
  'maxAmount',
  'closeFrom',
  'closeTo',
  'q',
  // The reports' drill-downs (销售漏斗流失, 销售预测) and the list's own branch and department filters.
  'branchId',
  'departmentId',
  'stageId',
  'enteredStageId',
  'enteredFrom',
  'enteredTo',
  'lostAtStageId',
  'movedOnFromStageId',
  'lostReason',
] as const;

/** The filters a report's drill-down sets, shown as tags to take off (no control of their own on the page). */
export const DRILL_KEYS = [
  'stageId',
  'enteredStageId',
  'enteredFrom',
  'enteredTo',
  'lostAtStageId',
  'movedOnFromStageId',
  'lostReason',
  'noCloseDate',
] as const;
/** Closed between two of the firm's local dates (the sales-cycle report's drill-down): a clearable tag on the page. */
export const CLOSED_KEYS = ['closedFrom', 'closedTo'] as const;
const SORTS = ['createdAt', 'name', 'expectedAmount', 'expectedCloseOn', 'probability', 'stageEnteredAt'];

export type UrlState = {
  mode: Mode;
  filters: OpportunityFilterParams;
  list: OpportunityListParams;
};

function parse(search: URLSearchParams): UrlState {
  const filters: OpportunityFilterParams = {};
  const view = search.get('view');
  filters.view = (OPPORTUNITY_VIEWS as readonly string[]).includes(view ?? '') ? (view as OpportunityView) : 'visible';
  for (const key of TEXT_KEYS) {
    const value = search.get(key);
    if (value) filters[key] = value;
  }
  if (search.get('noCloseDate') === 'true') filters.noCloseDate = 'true';
  for (const key of CLOSED_KEYS) {
    const value = search.get(key);
    if (value && /^\d{4}-\d{2}-\d{2}$/.test(value)) filters[key] = value;
  }
  const status = search.get('status');
  if ((OPPORTUNITY_STATUSES as readonly string[]).includes(status ?? ''))
    filters.status = status as OpportunityFilterParams['status'];
  const page = Number(search.get('page')) || 1;
  const pageSize = [20, 50, 100].includes(Number(search.get('pageSize'))) ? Number(search.get('pageSize')) : 20;
  const sort = search.get('sort') ?? undefined;
  const list: OpportunityListParams = {
    ...filters,
    page,
    pageSize,
    sort: sort && SORTS.includes(sort.replace(/^-/, '')) ? (sort as OpportunityListParams['sort']) : undefined,
  };
  return { mode: search.get('mode') === 'list' ? 'list' : 'board', filters, list };
}

/** The opportunities page's state in the query string: mode, filters, and the table's page and sort. */
export function useOpportunityUrl() {
  const [search, setSearch] = useSearchParams();
  const state = useMemo(() => parse(search), [search]);

  const write = useCallback(
    (patch: Record<string, string | number | undefined | null>, resetPage = true) => {
      setSearch(
        (previous) => {
          const next = new URLSearchParams(previous);
          for (const [key, value] of Object.entries(patch)) {
            if (
              value === undefined ||
              value === null ||
              value === '' ||
              (key === 'view' && value === 'visible') ||
              (key === 'mode' && value === 'board')
            )
              next.delete(key);
            else next.set(key, String(value));
          }
          if (resetPage && !('page' in patch)) next.delete('page');
          return next;
        },
        { replace: true },
      );
    },
    [setSearch],
  );

  return { ...state, write };
}

/** Whether any filter narrows the list (besides the view and the board's business line). */
export function isFiltered(filters: OpportunityFilterParams, ignoreLine: boolean): boolean {
  return Boolean(
    (!ignoreLine && filters.businessLineId) ||
    filters.regionId ||
    filters.ownerId ||
    filters.minAmount ||
    filters.maxAmount ||
    filters.closeFrom ||
    filters.closeTo ||
    filters.q ||
    filters.status ||
    filters.branchId ||
    filters.departmentId ||
    DRILL_KEYS.some((key) => filters[key]) ||
    filters.closedFrom ||
    filters.closedTo,
  );
}
