import type { z } from 'zod';
import type {
  CapturedArticle,
  InsightInput,
  InsightMark,
  LessonInput,
  LessonPrompt,
  LessonRate,
  LessonRateQuery,
  TemplateFilled,
  TemplateInput,
  TemplateListQuery,
  TemplateSummary,
  TemplateUseInput,
} from '../../../common/schemas/knowledge-capture';
import { api } from '../../api/client';

/** Knowledge captured where the work happens: lessons 复盘, customer insights 客户洞察, templates 模板. */
export const captureApi = {
  /** Cache keys: every read below starts with one of these. */
  path: '/api/v1/knowledge',
  lessonPath: '/api/v1/knowledge/lessons',
  lesson: (opportunityId: string) => api<LessonPrompt>(`/api/v1/opportunities/${opportunityId}/lesson`),
  writeLesson: (opportunityId: string, body: z.input<typeof LessonInput>) =>
    api<CapturedArticle>(`/api/v1/opportunities/${opportunityId}/lesson`, { method: 'POST', body }),
  skipLesson: (opportunityId: string) =>
    api<LessonPrompt>(`/api/v1/opportunities/${opportunityId}/lesson/skip`, { method: 'POST' }),
  lessonRate: (query: LessonRateQuery) => api<LessonRate>('/api/v1/knowledge/lesson-rate', { query }),
  insightMarks: (query: { customerId?: string; engagementId?: string }) =>
    api<InsightMark[]>('/api/v1/knowledge/insight-marks', { query }),
  markInsight: (sourceType: 'contact-log' | 'engagement', id: string, body: z.input<typeof InsightInput>) =>
    api<CapturedArticle>(`/api/v1/${sourceType === 'contact-log' ? 'contact-logs' : 'engagements'}/${id}/insight`, {
      method: 'POST',
      body,
    }),
  templates: (query: TemplateListQuery) => api<TemplateSummary[]>('/api/v1/knowledge/templates', { query }),
  saveTemplate: (body: TemplateInput) => api<TemplateSummary>('/api/v1/knowledge/templates', { method: 'POST', body }),
  useTemplate: (id: string, body: TemplateUseInput) =>
    api<TemplateFilled>(`/api/v1/knowledge/${id}/use`, { method: 'POST', body }),
};

/** Where an article is read (the knowledge base's page). */
export const articleUrl = (id: string) => `/knowledge/${id}`;
