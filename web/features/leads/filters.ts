import { useCallback, useMemo, type Dispatch, type SetStateAction } from 'react';
import { useSearchParams } from 'react-router';
import { LEAD_STATUSES, LEAD_VIEWS } from '../../../common/schemas/leads';
import type { LeadListParams } from '../../api/resources';

/**
 * The leads page's filters, page and sort kept in the address under the API's own names, so a link — the lead
 * conversion report's drill-down — opens the list with its filters applied (and a reload keeps them).
 */
const TEXT_KEYS = [
  'q',
  'campaignId',
  'businessLineId',
  'regionId',
  'ownerId',
  'source',
  'branchId',
  'departmentId',
] as const;
const DATE_KEYS = ['createdFrom', 'createdTo'] as const;
const FLAG_KEYS = ['converted', 'won'] as const;
const SORTS = ['createdAt', 'companyName', 'assignedAt'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function leadParamsOf(search: URLSearchParams): LeadListParams {
  const params: LeadListParams = { page: Number(search.get('page')) || 1, pageSize: 20, view: 'visible' };
  const pageSize = Number(search.get('pageSize'));
  if ([20, 50, 100].includes(pageSize)) params.pageSize = pageSize;
  const view = search.get('view');
  if ((LEAD_VIEWS as readonly string[]).includes(view ?? '')) params.view = view as LeadListParams['view'];
  const status = search.get('status');
  if ((LEAD_STATUSES as readonly string[]).includes(status ?? '')) params.status = status as LeadListParams['status'];
  for (const key of TEXT_KEYS) {
    const value = search.get(key);
    if (value) params[key] = value;
  }
  for (const key of DATE_KEYS) {
    const value = search.get(key);
    if (value && DATE.test(value)) params[key] = value;
  }
  for (const key of FLAG_KEYS) {
    const value = search.get(key);
    if (value === 'true' || value === 'false') params[key] = value;
  }
  const sort = search.get('sort');
  if (sort && SORTS.includes(sort.replace(/^-/, ''))) params.sort = sort as LeadListParams['sort'];
  return params;
}

function searchOf(params: LeadListParams): URLSearchParams {
  const next = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    if (
      (key === 'view' && value === 'visible') ||
      (key === 'page' && value === 1) ||
      (key === 'pageSize' && value === 20)
    )
      continue;
    next.set(key, String(value));
  }
  return next;
}

/** The list's parameters from the address, and a setter (as useState's) that writes them back. */
export function useLeadUrl(): [LeadListParams, Dispatch<SetStateAction<LeadListParams>>] {
  const [search, setSearch] = useSearchParams();
  const params = useMemo(() => leadParamsOf(search), [search]);
  const setParams = useCallback<Dispatch<SetStateAction<LeadListParams>>>(
    (next) =>
      setSearch((previous) => searchOf(typeof next === 'function' ? next(leadParamsOf(previous)) : next), {
        replace: true,
      }),
    [setSearch],
  );
  return [params, setParams];
}
