import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Id, IdParams } from '../../../common/schemas/common';
import {
  MailTemplate,
  MailTemplateUpdate,
  Suggestion,
  SuggestionListQuery,
  SuggestionSend,
} from '../../../common/schemas/suggestions';
import { ctxOf } from '../../context';
import { requirePermission } from '../../policy';
import { errorResponses, typed } from '../../lib/routes';
import {
  dismissSuggestion,
  redraftSuggestion,
  findMySuggestions,
  getTemplate,
  sendSuggestion,
  updateTemplate,
} from './suggestions.service';

/** Follow-up suggestions for customers going inactive, and the e-mail template they are drafted from. */
export function registerSuggestionRoutes(app: FastifyInstance) {
  const r = typed(app);
  const tags = ['reminders'];
  const read = requirePermission('customers:read');
  const write = requirePermission('customers:write');
  r.get(
    '/api/v1/suggestions',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Follow-ups suggested to me (customers gone quiet), longest quiet first',
        querystring: SuggestionListQuery,
        response: { 200: z.object({ items: z.array(Suggestion) }), ...errorResponses },
      },
    },
    async (request) => ({
      items: await findMySuggestions(ctxOf(request), request.query),
    }),
  );
  r.post(
    '/api/v1/suggestions/:id/send',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Send the drafted follow-up e-mail as edited (logged as an outbound e-mail with the customer)',
        params: IdParams,
        body: SuggestionSend,
        response: { 200: Suggestion, ...errorResponses },
      },
    },
    (request) => sendSuggestion(ctxOf(request), request.params.id, request.body),
  );
  r.post(
    '/api/v1/suggestions/:id/redraft',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Redraft the follow-up e-mail from a template 模板 of the knowledge library (its use is counted)',
        params: IdParams,
        body: z.strictObject({ articleId: Id }),
        response: { 200: Suggestion, ...errorResponses },
      },
    },
    (request) => redraftSuggestion(ctxOf(request), request.params.id, request.body.articleId),
  );
  r.post(
    '/api/v1/suggestions/:id/dismiss',
    { preValidation: read, schema: { tags, params: IdParams, response: { 200: Suggestion, ...errorResponses } } },
    (request) => dismissSuggestion(ctxOf(request), request.params.id),
  );
  const configure = requirePermission('customers:configure');
  r.get(
    '/api/v1/mail-templates/inactive-customer',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'The follow-up e-mail template, with {{merge fields}}',
        response: { 200: MailTemplate, ...errorResponses },
      },
    },
    (request) => getTemplate(ctxOf(request).db),
  );
  r.put(
    '/api/v1/mail-templates/inactive-customer',
    {
      preValidation: configure,
      schema: { tags, body: MailTemplateUpdate, response: { 200: MailTemplate, ...errorResponses } },
    },
    (request) => updateTemplate(ctxOf(request), request.body),
  );
}
