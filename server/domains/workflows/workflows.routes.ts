import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ErrorBody, Id, IdParams, Ok } from '../../../common/schemas/common';
import { Attachment, MAX_FILE_BYTES } from '../../../common/schemas/files';
import {
  ApprovalCount,
  ApprovalListQuery,
  Decision,
  Delegation,
  Instance,
  InstanceSummary,
  StandingDelegation,
  StandingDelegationInput,
  SubjectApprovals,
  SubjectInstancesQuery,
  Withdrawal,
  Workflow,
  WorkflowInput,
  WorkflowListQuery,
  WorkflowVersion,
} from '../../../common/schemas/workflows';
import { pageOf } from '../../../common/schemas/common';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { asAnswer } from '../../lib/serialize';
import { refuseBodiesOver, sendFile } from '../../lib/uploads';
import { receiveDocument } from '../files/receive';
import { assertCanAttach, attachToInstance, getInstanceFile } from './attachments.service';
import { requirePermission } from '../../policy';
import { createDelegation, listDelegations, revokeDelegation } from './delegations.service';
import {
  createWorkflow,
  getWorkflow,
  listWorkflows,
  listWorkflowVersions,
  updateWorkflow,
} from './definitions.service';
import { onUserDeactivated } from '../staff/users.service';
import { decide, delegate, reassignFromDeactivated, withdraw } from './engine.service';
import { countWaiting, getInstance, listApprovals, subjectApprovals } from './inbox.service';

/**
 * Approval flows (administrators), the approvals inbox, decisions on instances, and standing delegations.
 * Deciding needs no permission beyond being signed in: being the step's assignee is the permission (the
 * engine checks it), and whoever may see the subject may see its approvals.
 */
const InstanceFileParams = z.strictObject({ id: Id, fileId: Id });

export function registerWorkflowRoutes(app: FastifyInstance) {
  onUserDeactivated(reassignFromDeactivated);
  const r = typed(app);
  const manage = requirePermission('workflows:manage');
  const tags = ['workflows'];

  r.get(
    '/api/v1/workflows',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: 'Approval flows, by kind and priority',
        querystring: WorkflowListQuery,
        response: { 200: Workflow.array(), ...errorResponses },
      },
    },
    (request) => listWorkflows(ctxOf(request), request.query),
  );
  r.post(
    '/api/v1/workflows',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: 'A new approval flow (version 1)',
        body: WorkflowInput,
        response: { 201: Workflow, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return createWorkflow(ctxOf(request), request.body);
    },
  );
  r.get(
    '/api/v1/workflows/:id',
    { preValidation: manage, schema: { tags, params: IdParams, response: { 200: Workflow, ...errorResponses } } },
    (request) => getWorkflow(ctxOf(request), request.params.id),
  );
  r.put(
    '/api/v1/workflows/:id',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: 'Save a flow as a new version; running approvals keep the version they started with',
        params: IdParams,
        body: WorkflowInput,
        response: { 200: Workflow, ...errorResponses },
      },
    },
    (request) => updateWorkflow(ctxOf(request), request.params.id, request.body),
  );
  r.get(
    '/api/v1/workflows/:id/versions',
    {
      preValidation: manage,
      schema: { tags, params: IdParams, response: { 200: WorkflowVersion.array(), ...errorResponses } },
    },
    (request) => listWorkflowVersions(ctxOf(request), request.params.id),
  );

  r.get(
    '/api/v1/approvals',
    {
      schema: {
        tags,
        summary: 'The approvals inbox: waiting for me, mine, or decided by me',
        querystring: ApprovalListQuery,
        response: { 200: pageOf(InstanceSummary), ...errorResponses },
      },
    },
    (request) => listApprovals(ctxOf(request), request.query),
  );
  r.get(
    '/api/v1/approvals/count',
    {
      schema: { tags, summary: 'How many approvals wait for me', response: { 200: ApprovalCount, ...errorResponses } },
    },
    async (request) => ({ waiting: await countWaiting(ctxOf(request)) }),
  );
  r.get(
    '/api/v1/workflow-instances',
    {
      schema: {
        tags,
        summary: 'The approvals of a subject: the newest with its history, the earlier ones as summaries',
        querystring: SubjectInstancesQuery,
        response: { 200: SubjectApprovals, ...errorResponses },
      },
    },
    (request) => subjectApprovals(ctxOf(request), request.query.subjectKind, request.query.subjectId),
  );
  r.get(
    '/api/v1/workflow-instances/:id',
    {
      schema: { tags, params: IdParams, response: { 200: Instance, ...errorResponses } },
    },
    async (request) => asAnswer(await getInstance(ctxOf(request), request.params.id)),
  );
  r.post(
    '/api/v1/workflow-instances/:id/decide',
    {
      schema: {
        tags,
        summary: 'Approve, reject or return the current step (its assignees only; taken once)',
        params: IdParams,
        body: Decision,
        response: { 200: Instance, ...errorResponses },
      },
    },
    async (request) => {
      await decide(ctxOf(request), request.params.id, request.body);
      return asAnswer(await getInstance(ctxOf(request), request.params.id));
    },
  );
  r.post(
    '/api/v1/workflow-instances/:id/withdraw',
    {
      schema: {
        tags,
        summary: 'The submitter takes the request back',
        params: IdParams,
        body: Withdrawal,
        response: { 200: Instance, ...errorResponses },
      },
    },
    async (request) => {
      await withdraw(ctxOf(request), request.params.id, request.body.comment);
      return asAnswer(await getInstance(ctxOf(request), request.params.id));
    },
  );
  r.post(
    '/api/v1/workflow-instances/:id/delegate',
    {
      schema: {
        tags,
        summary: 'Hand this decision to a colleague',
        params: IdParams,
        body: Delegation,
        response: { 200: Instance, ...errorResponses },
      },
    },
    async (request) => {
      await delegate(ctxOf(request), request.params.id, request.body.userId, request.body.comment);
      return asAnswer(await getInstance(ctxOf(request), request.params.id));
    },
  );

  r.post(
    '/api/v1/workflow-instances/:id/attachments',
    {
      // A body announced as larger than one file is refused before it is read (413).
      onRequest: refuseBodiesOver(MAX_FILE_BYTES),
      schema: {
        tags,
        summary: `Upload one document for a decision on the instance (multipart/form-data, field "file", up to ${MAX_FILE_BYTES / 1024 / 1024} MB): its submitter or a current assignee; name it in the decision's attachmentIds`,
        consumes: ['multipart/form-data'],
        params: IdParams,
        response: { 201: Attachment, ...errorResponses, 413: ErrorBody, 415: ErrorBody },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(request);
      return receiveDocument(
        request,
        reply,
        (bytes) => assertCanAttach(ctx, request.params.id, bytes),
        (file) => attachToInstance(ctx, request.params.id, file),
      );
    },
  );
  r.get(
    '/api/v1/workflow-instances/:id/attachments/:fileId',
    { schema: { tags, summary: 'Download a document of an instance', params: InstanceFileParams } },
    async (request, reply) => {
      const file = await getInstanceFile(ctxOf(request), request.params.id, request.params.fileId);
      return sendFile(reply, file);
    },
  );

  r.get(
    '/api/v1/delegations',
    {
      schema: {
        tags,
        summary: 'My standing delegations',
        response: { 200: StandingDelegation.array(), ...errorResponses },
      },
    },
    (request) => listDelegations(ctxOf(request)),
  );
  r.post(
    '/api/v1/delegations',
    {
      schema: {
        tags,
        summary: 'While I am away, steps that reach me go to a colleague',
        body: StandingDelegationInput,
        response: { 201: StandingDelegation, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return createDelegation(ctxOf(request), request.body);
    },
  );
  r.delete(
    '/api/v1/delegations/:id',
    { schema: { tags, params: IdParams, response: { 200: Ok, ...errorResponses } } },
    async (request) => {
      await revokeDelegation(ctxOf(request), request.params.id);
      return { ok: true as const };
    },
  );
}
