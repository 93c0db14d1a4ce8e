import type { z } from 'zod';
import type { Page } from '../../../common/schemas/common';
import type { Attachment } from '../../../common/schemas/files';
import type {
  KnowledgeArticle,
  KnowledgeArticleCreate,
  KnowledgeArticleItem,
  KnowledgeArticleUpdate,
  KnowledgeContributors,
  KnowledgeLinkType,
  KnowledgeListQuery,
  KnowledgeStaleQuery,
  KnowledgeStewardship,
  KnowledgeUsefulState,
  KnowledgeVersion,
  KnowledgeVersionItem,
} from '../../../common/schemas/knowledge';
import { api } from '../../api/client';
import type { ListParams } from '../../api/resources';

export type KnowledgeListParams = ListParams<typeof KnowledgeListQuery>;
export type KnowledgeStaleParams = ListParams<typeof KnowledgeStaleQuery>;

const path = '/api/v1/knowledge';

/** The knowledge base's routes (server/domains/knowledge/knowledge.routes.ts). */
export const knowledgeApi = {
  path,
  list: (params?: KnowledgeListParams) => api<Page<KnowledgeArticleItem>>(path, { query: params }),
  stale: (params?: KnowledgeStaleParams) => api<Page<KnowledgeArticleItem>>(`${path}/stale`, { query: params }),
  contributors: () => api<KnowledgeContributors>(`${path}/contributors`),
  /** Reading counts a view (once a day per reader). */
  get: (id: string) => api<KnowledgeArticle>(`${path}/${id}`),
  create: (body: KnowledgeArticleCreate) => api<KnowledgeArticle>(path, { method: 'POST', body }),
  update: (id: string, body: z.input<typeof KnowledgeArticleUpdate>) =>
    api<KnowledgeArticle>(`${path}/${id}`, { method: 'PATCH', body }),
  versions: (id: string) => api<{ items: KnowledgeVersionItem[] }>(`${path}/${id}/versions`),
  version: (id: string, version: number) => api<KnowledgeVersion>(`${path}/${id}/versions/${version}`),
  archive: (id: string, archived: boolean) =>
    api<KnowledgeArticle>(`${path}/${id}/${archived ? 'archive' : 'unarchive'}`, { method: 'POST', body: {} }),
  stewardship: (id: string, body: KnowledgeStewardship) =>
    api<KnowledgeArticle>(`${path}/${id}/stewardship`, { method: 'PUT', body }),
  useful: (id: string, useful: boolean) =>
    api<KnowledgeUsefulState>(`${path}/${id}/useful`, { method: 'PUT', body: { useful } }),
  upload: (id: string, file: File) => {
    const body = new FormData();
    body.append('file', file);
    return api<Attachment>(`${path}/${id}/files`, { method: 'POST', body });
  },
  fileUrl: (id: string, fileId: string) => `${path}/${id}/files/${fileId}`,
  addLink: (id: string, link: { type: KnowledgeLinkType; id: string }) =>
    api<KnowledgeArticle>(`${path}/${id}/links`, { method: 'POST', body: link }),
  removeLink: (id: string, targetId: string) =>
    api<KnowledgeArticle>(`${path}/${id}/links/${targetId}`, { method: 'DELETE' }),
};
