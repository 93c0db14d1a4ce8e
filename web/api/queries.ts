import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Page } from '../../common/schemas/common';
import type { QueryParams } from './client';
import type { EngagementTemplateInput } from '../../common/schemas/engagements';
import {
  branchesApi,
  businessLinesApi,
  departmentsApi,
  engagementTemplatesApi,
  fetchAll,
  regionsApi,
  rolesApi,
  usersApi,
  type EngagementTemplateListParams,
} from './resources';

type Listable<T, P> = { path: string; list: (params: P) => Promise<Page<T>> };

/** One page of a collection; the previous page stays on screen while the next one loads. */
export function usePage<T, P extends QueryParams>(resource: Listable<T, P>, params: NoInfer<P>, enabled = true) {
  return useQuery({
    queryKey: [resource.path, 'page', params],
    queryFn: () => resource.list(params),
    placeholderData: keepPreviousData,
    enabled,
  });
}

/** A whole collection, for pickers and name look-ups. */
export function useAll<T, P extends QueryParams>(resource: Listable<T, P>, params: NoInfer<P>, enabled = true) {
  return useQuery({
    queryKey: [resource.path, 'all', params],
    queryFn: () => fetchAll(resource.list, params),
    staleTime: 60_000,
    enabled,
  });
}

export const useAllDepartments = () => useAll(departmentsApi, { active: 'all' });
export const useAllBranches = () => useAll(branchesApi, { active: 'all' });
export const useAllRegions = () => useAll(regionsApi, { active: 'all' });
export const useAllBusinessLines = () => useAll(businessLinesApi, { active: 'all' });
/** Roles can only be listed with `staff:manage`; pass enabled=false otherwise. */
export const useAllRoles = (enabled = true) => useAll(rolesApi, {}, enabled);
export const useAllUsers = (enabled = true) => useAll(usersApi, { active: 'all' }, enabled);
export const useDirectory = (enabled = true) =>
  useQuery({ queryKey: [usersApi.path, 'directory'], queryFn: usersApi.directory, enabled });

/** A write that refreshes every cached read of the given collections when it succeeds. */
export function useWrite<V, R>(fn: (variables: V) => Promise<R>, invalidates: string[]) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => Promise.all(invalidates.map((path) => queryClient.invalidateQueries({ queryKey: [path] }))),
  });
}

// —— engagement templates 业务模板 ——
/** A page of engagement templates (the administrators' list). */
export const useEngagementTemplatePage = (params: EngagementTemplateListParams) =>
  usePage(engagementTemplatesApi, params);
/** A business line's active templates, first by name (the default), for choosing one when making an engagement. */
export const useActiveEngagementTemplates = (businessLineId: string | undefined) =>
  useAll(engagementTemplatesApi, { businessLineId, active: 'true', sort: 'name' }, Boolean(businessLineId));
/** Creates a template (id undefined) or replaces one as a whole. */
export const useSaveEngagementTemplate = (id: string | undefined) =>
  useWrite(
    (body: EngagementTemplateInput) =>
      id ? engagementTemplatesApi.replace(id, body) : engagementTemplatesApi.create(body),
    [engagementTemplatesApi.path],
  );
