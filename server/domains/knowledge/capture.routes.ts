import type { FastifyInstance } from 'fastify';
import { IdParams } from '../../../common/schemas/common';
import {
  CapturedArticle,
  InsightInput,
  InsightMark,
  InsightMarksQuery,
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
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { requirePermission } from '../../policy';
import {
  findInsightMarks,
  findTemplates,
  getLessonPrompt,
  getLessonRate,
  insightFromContactLog,
  insightFromEngagement,
  saveTemplate,
  skipLesson,
  useTemplate,
  writeLesson,
} from './capture.service';

/** Knowledge captured where the work happens: lessons 复盘, customer insights 客户洞察, templates 模板 (issue 17). */
export function registerKnowledgeCaptureRoutes(app: FastifyInstance) {
  const r = typed(app);
  const read = requirePermission('knowledge:read');
  const write = requirePermission('knowledge:write');
  const tags = ['knowledge'];

  r.get(
    '/api/v1/opportunities/:id/lesson',
    {
      preValidation: requirePermission('opportunities:read'),
      schema: {
        tags,
        summary: 'Where the lesson 复盘 of the current closing stands: open (not closed), unanswered, written, skipped',
        params: IdParams,
        response: { 200: LessonPrompt, ...errorResponses },
      },
    },
    (request) => getLessonPrompt(ctxOf(request), request.params.id),
  );
  r.post(
    '/api/v1/opportunities/:id/lesson',
    {
      preValidation: write,
      schema: {
        tags,
        summary:
          'Write the lesson 复盘 of a won or lost opportunity one may change: an article of kind lesson linked to its customer and to it (one per closing)',
        params: IdParams,
        body: LessonInput,
        response: { 201: CapturedArticle, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return writeLesson(ctxOf(request), request.params.id, request.body);
    },
  );
  r.post(
    '/api/v1/opportunities/:id/lesson/skip',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Skip the lesson of the current closing (counted in the lesson rate)',
        params: IdParams,
        response: { 200: LessonPrompt, ...errorResponses },
      },
    },
    (request) => skipLesson(ctxOf(request), request.params.id),
  );
  r.get(
    '/api/v1/knowledge/lesson-rate',
    {
      preValidation: read,
      schema: {
        tags,
        summary:
          'Lessons written per closed deal in a period (the opportunities one sees), with skipped and not answered; per department or owner',
        querystring: LessonRateQuery,
        response: { 200: LessonRate, ...errorResponses },
      },
    },
    (request) => getLessonRate(ctxOf(request), request.query),
  );
  r.post(
    '/api/v1/contact-logs/:id/insight',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Mark a contact-log entry as a customer insight 客户洞察 (an article linked to its customer)',
        params: IdParams,
        body: InsightInput,
        response: { 201: CapturedArticle, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return insightFromContactLog(ctxOf(request), request.params.id, request.body);
    },
  );
  r.post(
    '/api/v1/engagements/:id/insight',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Mark an engagement as a customer insight 客户洞察 (an article linked to its customer and to it)',
        params: IdParams,
        body: InsightInput,
        response: { 201: CapturedArticle, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return insightFromEngagement(ctxOf(request), request.params.id, request.body);
    },
  );
  r.get(
    '/api/v1/knowledge/insight-marks',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Which contact-log entries and engagements of a customer (or one engagement) became insights',
        querystring: InsightMarksQuery,
        response: { 200: InsightMark.array(), ...errorResponses },
      },
    },
    (request) => findInsightMarks(ctxOf(request), request.query),
  );
  r.get(
    '/api/v1/knowledge/templates',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Templates 模板 one may use, for a screen (use) and a business line; most used first',
        querystring: TemplateListQuery,
        response: { 200: TemplateSummary.array(), ...errorResponses },
      },
    },
    (request) => findTemplates(ctxOf(request), request.query),
  );
  r.post(
    '/api/v1/knowledge/templates',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Save any text as a template (proposal, engagement letter, e-mail, other), visible firm-wide',
        body: TemplateInput,
        response: { 201: TemplateSummary, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return saveTemplate(ctxOf(request), request.body);
    },
  );
  r.post(
    '/api/v1/knowledge/:id/use',
    {
      preValidation: read,
      schema: {
        tags,
        summary:
          'Use a template: counts the use and answers its body with {客户名称} {联系人} {业务线} {我的姓名} {今天} filled for the customer or opportunity given',
        params: IdParams,
        body: TemplateUseInput,
        response: { 200: TemplateFilled, ...errorResponses },
      },
    },
    (request) => useTemplate(ctxOf(request), request.params.id, request.body),
  );
}
