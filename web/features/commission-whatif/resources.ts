import type { Policy, WhatIf } from '../../../common/schemas/commissions';
import { api } from '../../api/client';

/** The what-if 模拟 of a commission policy version (commissions:configure). */
export const whatIfApi = {
  policiesPath: '/api/v1/commission-policies',
  policies: () => api<{ items: Policy[] }>('/api/v1/commission-policies'),
  start: (policyId: string, body: { from: string; to: string }) =>
    api<{ id: string }>(`/api/v1/commission-policies/${policyId}/what-if`, { method: 'POST', body }),
  path: '/api/v1/commission-what-ifs',
  get: (id: string) => api<WhatIf>(`/api/v1/commission-what-ifs/${id}`),
};
