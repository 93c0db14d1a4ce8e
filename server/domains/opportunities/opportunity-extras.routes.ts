import type { FastifyInstance, preValidationHookHandler } from 'fastify';
import { Id, IdParams, Ok } from '../../../common/schemas/common';
import {
  Acceptance,
  AcceptanceChecklist,
  AcceptanceChecklistInput,
  AcceptanceInput,
  BusinessLineParams,
  ConflictPair,
  ConflictPairsInput,
  IndependenceCheck,
  IndependenceOverrideRequest,
  Milestone,
  Opportunity,
  MilestoneCreate,
  MilestoneParams,
  MilestoneUpdate,
  Project,
  ProjectTask,
  ProjectTaskCreate,
  ProjectTaskUpdate,
  Quote,
  QuoteCreate,
  QuoteParams,
  QuoteStatusChange,
  TaskParams,
} from '../../../common/schemas/opportunities';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { AppError } from '../../errors';
import { can, requirePermission } from '../../policy';
import {
  findConflictPairs,
  getAcceptance,
  getAcceptanceChecklist,
  getIndependence,
  saveAcceptance,
  saveAcceptanceChecklist,
  saveConflictPairs,
} from './acceptance.service';
import {
  createMilestone,
  createTask,
  deleteMilestone,
  deleteTask,
  getProject,
  isTaskAssignee,
  updateMilestone,
  updateTask,
} from './projects.service';
import { requestIndependenceOverride } from './independence-approval';
import { getOpportunity } from './opportunities.service';
import { changeQuoteStatus, createQuote, findQuotes, submitQuote } from './quotes.service';

/** Quotes, the project plan, engagement acceptance and the independence check of opportunities. */
export function registerOpportunityExtraRoutes(app: FastifyInstance) {
  const r = typed(app);
  const read = requirePermission('opportunities:read');
  const write = requirePermission('opportunities:write');
  const configure = requirePermission('sales:configure');
  /** Those who may change opportunities, and a task's own assignee (the service decides what each may change). */
  const writeOrAssignee: preValidationHookHandler = async (request) => {
    if (!request.actor) throw new AppError('UNAUTHENTICATED');
    if (can(request.actor, 'opportunities:write')) return;
    const { taskId } = request.params as { taskId?: unknown };
    const valid = Id.safeParse(taskId);
    if (!valid.success || !(await isTaskAssignee(request.server.db, request.actor.id, valid.data)))
      throw new AppError('FORBIDDEN');
  };
  const tags = ['opportunities'];

  r.get(
    '/api/v1/opportunities/:id/quotes',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Quotes of an opportunity, newest version first',
        params: IdParams,
        response: { 200: Quote.array(), ...errorResponses },
      },
    },
    (request) => findQuotes(ctxOf(request), request.params.id),
  );
  r.post(
    '/api/v1/opportunities/:id/quotes',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'A new quote version with line items (amounts exact to the cent)',
        params: IdParams,
        body: QuoteCreate,
        response: { 201: Quote, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return createQuote(ctxOf(request), request.params.id, request.body);
    },
  );
  r.patch(
    '/api/v1/opportunities/:id/quotes/:quoteId',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Change a quote’s status; accepting one rejects the one accepted before',
        params: QuoteParams,
        body: QuoteStatusChange,
        response: { 200: Quote, ...errorResponses },
      },
    },
    (request) => changeQuoteStatus(ctxOf(request), request.params.id, request.params.quoteId, request.body.status),
  );
  r.post(
    '/api/v1/opportunities/:id/independence-override',
    {
      preValidation: write,
      schema: {
        tags,
        summary:
          'Ask a partner for an independence exception: the opportunity conflicts with the customer’s other work',
        params: IdParams,
        body: IndependenceOverrideRequest,
        response: { 200: Opportunity, ...errorResponses },
      },
    },
    (request) => requestIndependenceOverride(ctxOf(request), request.params.id, request.body.reason, getOpportunity),
  );
  r.post(
    '/api/v1/opportunities/:id/quotes/:quoteId/submit',
    {
      preValidation: write,
      schema: {
        tags,
        summary:
          'Send a quote for approval (its discount is over the limit a flow sets), or again after it was returned',
        params: QuoteParams,
        response: { 200: Quote, ...errorResponses },
      },
    },
    (request) => submitQuote(ctxOf(request), request.params.id, request.params.quoteId),
  );

  r.get(
    '/api/v1/opportunities/:id/project',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'The project plan: milestones, tasks across departments and progress',
        params: IdParams,
        response: { 200: Project, ...errorResponses },
      },
    },
    (request) => getProject(ctxOf(request), request.params.id),
  );
  r.post(
    '/api/v1/opportunities/:id/milestones',
    {
      preValidation: write,
      schema: { tags, params: IdParams, body: MilestoneCreate, response: { 201: Milestone, ...errorResponses } },
    },
    async (request, reply) => {
      reply.status(201);
      return createMilestone(ctxOf(request), request.params.id, request.body);
    },
  );
  r.patch(
    '/api/v1/opportunities/:id/milestones/:milestoneId',
    {
      preValidation: write,
      schema: { tags, params: MilestoneParams, body: MilestoneUpdate, response: { 200: Milestone, ...errorResponses } },
    },
    (request) => updateMilestone(ctxOf(request), request.params.id, request.params.milestoneId, request.body),
  );
  r.delete(
    '/api/v1/opportunities/:id/milestones/:milestoneId',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Remove a milestone (its tasks stay, without a milestone)',
        params: MilestoneParams,
        response: { 200: Ok, ...errorResponses },
      },
    },
    async (request) => {
      await deleteMilestone(ctxOf(request), request.params.id, request.params.milestoneId);
      return { ok: true as const };
    },
  );
  r.post(
    '/api/v1/opportunities/:id/tasks',
    {
      preValidation: write,
      schema: { tags, params: IdParams, body: ProjectTaskCreate, response: { 201: ProjectTask, ...errorResponses } },
    },
    async (request, reply) => {
      reply.status(201);
      return createTask(ctxOf(request), request.params.id, request.body);
    },
  );
  r.patch(
    '/api/v1/opportunities/:id/tasks/:taskId',
    {
      preValidation: writeOrAssignee,
      schema: {
        tags,
        summary: 'Change a task (its assignee may change its status even without the right to change the opportunity)',
        params: TaskParams,
        body: ProjectTaskUpdate,
        response: { 200: ProjectTask, ...errorResponses },
      },
    },
    (request) => updateTask(ctxOf(request), request.params.id, request.params.taskId, request.body),
  );
  r.delete(
    '/api/v1/opportunities/:id/tasks/:taskId',
    { preValidation: write, schema: { tags, params: TaskParams, response: { 200: Ok, ...errorResponses } } },
    async (request) => {
      await deleteTask(ctxOf(request), request.params.id, request.params.taskId);
      return { ok: true as const };
    },
  );

  r.get(
    '/api/v1/acceptance-checklists/:businessLineId',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'The engagement acceptance checklist of a business line (empty when it has none)',
        params: BusinessLineParams,
        response: { 200: AcceptanceChecklist, ...errorResponses },
      },
    },
    (request) => getAcceptanceChecklist(ctxOf(request), request.params.businessLineId),
  );
  r.put(
    '/api/v1/acceptance-checklists/:businessLineId',
    {
      preValidation: configure,
      schema: {
        tags,
        summary: 'Set a business line’s acceptance checklist (items with unique keys)',
        params: BusinessLineParams,
        body: AcceptanceChecklistInput,
        response: { 200: AcceptanceChecklist, ...errorResponses },
      },
    },
    (request) => saveAcceptanceChecklist(ctxOf(request), request.params.businessLineId, request.body),
  );
  r.get(
    '/api/v1/opportunities/:id/acceptance',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'The opportunity’s answers to its business line’s acceptance checklist',
        params: IdParams,
        response: { 200: Acceptance, ...errorResponses },
      },
    },
    (request) => getAcceptance(ctxOf(request), request.params.id),
  );
  r.put(
    '/api/v1/opportunities/:id/acceptance',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Record answers to checklist items (those given; the others keep theirs)',
        params: IdParams,
        body: AcceptanceInput,
        response: { 200: Acceptance, ...errorResponses },
      },
    },
    (request) => saveAcceptance(ctxOf(request), request.params.id, request.body),
  );
  r.get(
    '/api/v1/opportunities/:id/independence',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Open or won opportunities and active services of the same customer in a conflicting business line',
        params: IdParams,
        response: { 200: IndependenceCheck, ...errorResponses },
      },
    },
    (request) => getIndependence(ctxOf(request), request.params.id),
  );
  r.get(
    '/api/v1/business-line-conflicts',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Business lines that may not serve one customer at the same time',
        response: { 200: ConflictPair.array(), ...errorResponses },
      },
    },
    (request) => findConflictPairs(ctxOf(request).db),
  );
  r.put(
    '/api/v1/business-line-conflicts',
    {
      preValidation: configure,
      schema: {
        tags,
        summary: 'Replace the conflicting pairs (each stored once, whatever the order)',
        body: ConflictPairsInput,
        response: { 200: ConflictPair.array(), ...errorResponses },
      },
    },
    (request) => saveConflictPairs(ctxOf(request), request.body),
  );
}
