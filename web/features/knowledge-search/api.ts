import type { KnowledgeSearchPage } from '../../../common/schemas/knowledge-search';
import type { KnowledgeKind } from '../../../common/schemas/knowledge';
import { api } from '../../api/client';

export type KnowledgeSearchParams = {
  q: string;
  kind?: KnowledgeKind;
  businessLineId?: string;
  page: number;
  pageSize: number;
};

/** 知识库搜索 (GET /api/v1/knowledge/search). */
export const knowledgeSearchApi = {
  path: '/api/v1/knowledge/search',
  search: (params: KnowledgeSearchParams) => api<KnowledgeSearchPage>('/api/v1/knowledge/search', { query: params }),
};
