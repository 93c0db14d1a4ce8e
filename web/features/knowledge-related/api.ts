import type { KnowledgeSuggestion, RelatedKnowledge } from '../../../common/schemas/knowledge-related';
import { api } from '../../api/client';

/**
 * Knowledge where it is needed: the articles beside an opportunity or a customer and today's suggested reading.
 * Keys start with the record's collection, so a change to the opportunity (a stage move) or customer reloads them.
 */
export const relatedKnowledgeApi = {
  opportunityKey: (id: string) => ['/api/v1/opportunities', id, 'knowledge'],
  customerKey: (id: string) => ['/api/v1/customers', id, 'knowledge'],
  opportunity: (id: string) => api<RelatedKnowledge>(`/api/v1/opportunities/${id}/knowledge`),
  customer: (id: string) => api<RelatedKnowledge>(`/api/v1/customers/${id}/knowledge`),
  suggestion: () => api<KnowledgeSuggestion>('/api/v1/knowledge/suggestion'),
};
