import type { FastifyInstance } from 'fastify';
import { IdParams, Ok, pageOf } from '../../../common/schemas/common';
import {
  AssignmentRule,
  AssignmentRuleCreate,
  AssignmentRuleUpdate,
  Lead,
  LeadAssign,
  LeadConvert,
  LeadConverted,
  LeadCreate,
  LeadHistory,
  LeadListQuery,
  LeadStatusChange,
  LeadUpdate,
} from '../../../common/schemas/leads';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { requirePermission } from '../../policy';
import {
  createAssignmentRule,
  deleteAssignmentRule,
  findAssignmentRules,
  updateAssignmentRule,
} from './assignment-rules.service';
import {
  assignLead,
  changeLeadStatus,
  convertLead,
  createLead,
  findLeadHistory,
  findLeads,
  getLead,
  updateLead,
} from './leads.service';

export function registerLeadRoutes(app: FastifyInstance) {
  const r = typed(app);
  const read = requirePermission('leads:read');
  const write = requirePermission('leads:write');
  const configure = requirePermission('sales:configure');
  const tags = ['leads'];

  r.get(
    '/api/v1/leads',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Leads visible to me; views: mine, team (my department subtree), queue (waiting for assignment)',
        querystring: LeadListQuery,
        response: { 200: pageOf(Lead), ...errorResponses },
      },
    },
    (request) => findLeads(ctxOf(request), request.query),
  );
  r.post(
    '/api/v1/leads',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Create a lead; without ownerId the assignment rules choose the salesperson (or a queue)',
        body: LeadCreate,
        response: { 201: Lead, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return createLead(ctxOf(request), request.body);
    },
  );
  r.get(
    '/api/v1/leads/:id',
    { preValidation: read, schema: { tags, params: IdParams, response: { 200: Lead, ...errorResponses } } },
    (request) => getLead(ctxOf(request), request.params.id),
  );
  r.patch(
    '/api/v1/leads/:id',
    {
      preValidation: write,
      schema: { tags, params: IdParams, body: LeadUpdate, response: { 200: Lead, ...errorResponses } },
    },
    (request) => updateLead(ctxOf(request), request.params.id, request.body),
  );
  r.post(
    '/api/v1/leads/:id/status',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Contacting, qualified or disqualified (with a reason); recorded in the history',
        params: IdParams,
        body: LeadStatusChange,
        response: { 200: Lead, ...errorResponses },
      },
    },
    (request) => changeLeadStatus(ctxOf(request), request.params.id, request.body),
  );
  r.post(
    '/api/v1/leads/:id/assign',
    {
      preValidation: requirePermission('leads:assign'),
      schema: {
        tags,
        summary: 'Give a lead to a salesperson, or back to a department queue (ownerId null)',
        params: IdParams,
        body: LeadAssign,
        response: { 200: Lead, ...errorResponses },
      },
    },
    (request) => assignLead(ctxOf(request), request.params.id, request.body),
  );
  r.post(
    '/api/v1/leads/:id/convert',
    {
      preValidation: write,
      schema: {
        tags,
        summary:
          'Convert a qualified lead: link or create the customer (duplicate check) and contact, open the opportunity',
        params: IdParams,
        body: LeadConvert,
        response: { 200: LeadConverted, ...errorResponses },
      },
    },
    (request) => convertLead(ctxOf(request), request.params.id, request.body),
  );
  r.get(
    '/api/v1/leads/:id/history',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Every status change and assignment (with the rule that chose it), oldest first',
        params: IdParams,
        response: { 200: LeadHistory, ...errorResponses },
      },
    },
    (request) => findLeadHistory(ctxOf(request), request.params.id),
  );

  r.get(
    '/api/v1/assignment-rules',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Lead assignment rules in evaluation order',
        response: { 200: AssignmentRule.array(), ...errorResponses },
      },
    },
    (request) => findAssignmentRules(ctxOf(request)),
  );
  r.post(
    '/api/v1/assignment-rules',
    {
      preValidation: configure,
      schema: { tags, body: AssignmentRuleCreate, response: { 201: AssignmentRule, ...errorResponses } },
    },
    async (request, reply) => {
      reply.status(201);
      return createAssignmentRule(ctxOf(request), request.body);
    },
  );
  r.patch(
    '/api/v1/assignment-rules/:id',
    {
      preValidation: configure,
      schema: {
        tags,
        params: IdParams,
        body: AssignmentRuleUpdate,
        response: { 200: AssignmentRule, ...errorResponses },
      },
    },
    (request) => updateAssignmentRule(ctxOf(request), request.params.id, request.body),
  );
  r.delete(
    '/api/v1/assignment-rules/:id',
    { preValidation: configure, schema: { tags, params: IdParams, response: { 200: Ok, ...errorResponses } } },
    async (request) => {
      await deleteAssignmentRule(ctxOf(request), request.params.id);
      return { ok: true as const };
    },
  );
}
