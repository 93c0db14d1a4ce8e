import type { z } from 'zod';
import type {
  Guide,
  GuideTick,
  Playbook,
  PlaybookCreate,
  PlaybookKind,
  PlaybookUpdate,
} from '../../../common/schemas/playbooks';
import { api } from '../../api/client';

/** A guide is read under its record's key, so a move, a status change or an activity refreshes it with the record. */
export type GuideTarget = { opportunityId: string } | { leadId: string };

const recordPath = (target: GuideTarget) =>
  'opportunityId' in target ? `/api/v1/opportunities/${target.opportunityId}` : `/api/v1/leads/${target.leadId}`;

export const guideKey = (target: GuideTarget) =>
  'opportunityId' in target
    ? ['/api/v1/opportunities', target.opportunityId, 'guide']
    : ['/api/v1/leads', target.leadId, 'guide'];

export const guidesApi = {
  get: (target: GuideTarget) => api<Guide>(`${recordPath(target)}/guide`),
  tick: (target: GuideTarget, body: GuideTick) =>
    api<Guide>(`${recordPath(target)}/guide/checklist`, { method: 'POST', body }),
};

export const playbooksApi = {
  path: '/api/v1/playbooks',
  list: async (query: { kind?: PlaybookKind; businessLineId?: string } = {}) =>
    (await api<{ items: Playbook[] }>('/api/v1/playbooks', { query })).items,
  create: (body: z.input<typeof PlaybookCreate>) => api<Playbook>('/api/v1/playbooks', { method: 'POST', body }),
  update: (id: string, body: z.input<typeof PlaybookUpdate>) =>
    api<Playbook>(`/api/v1/playbooks/${id}`, { method: 'PATCH', body }),
  remove: (id: string) => api<{ ok: true }>(`/api/v1/playbooks/${id}`, { method: 'DELETE' }),
};

/** A knowledge article as the pickers list it (GET /api/v1/knowledge, written by the knowledge base). */
export type ArticleOption = { id: string; title: string; kind: string };

export const knowledgeSearch = async (query: { kind?: string; q?: string }): Promise<ArticleOption[]> =>
  (await api<{ items: ArticleOption[] }>('/api/v1/knowledge', { query: { ...query, pageSize: 20 } })).items;
