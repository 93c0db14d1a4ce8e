import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ErrorBody, IdParams, pageOf } from '../../../common/schemas/common';
import {
  Engagement,
  EngagementCancel,
  EngagementCreate,
  EngagementListQuery,
  EngagementsCreated,
  EngagementSummary,
  EngagementUpdate,
  MembersInput,
  ReportIssue,
  StaffingQuery,
  StaffingSuggestions,
  Task,
  TaskCreate,
  TaskNote,
  TaskNoteInput,
  TaskStatusChange,
  TaskUpdate,
  WorkOrder,
  WorkOrderListQuery,
} from '../../../common/schemas/engagements';
import { AttachmentParams, MAX_FILE_BYTES } from '../../../common/schemas/files';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { refuseBodiesOver, sendFile } from '../../lib/uploads';
import { receiveDocument } from '../files/receive';
import { requirePermission } from '../../policy';
import {
  cancelEngagement,
  createEngagements,
  findEngagements,
  getEngagement,
  setMembers,
  staffingSuggestions,
  updateEngagement,
} from './engagements.service';
import { archiveEngagement, issueReport, sendForReview } from './review.service';
import {
  addTaskComment,
  assertCanAttach,
  attachToTask,
  createTask,
  getTaskFile,
  listTaskNotes,
  myWorkOrders,
  setTaskStatus,
  updateTask,
} from './tasks.service';

/** 业务项目 and 工单. */
export function registerEngagementRoutes(app: FastifyInstance) {
  const r = typed(app);
  const read = requirePermission('engagements:read');
  const write = requirePermission('engagements:write');
  const tags = ['engagements'];
  const one = { 200: Engagement, ...errorResponses };
  const oneTask = { 200: Task, ...errorResponses };

  r.get(
    '/api/v1/engagements',
    {
      preValidation: read,
      schema: {
        tags,
        summary:
          'Engagements 业务项目 the reader may see (team, lead’s department, sales side; all for partners and finance), with progress and the current phase',
        querystring: EngagementListQuery,
        response: { 200: pageOf(EngagementSummary), ...errorResponses },
      },
    },
    (request) => findEngagements(ctxOf(request), request.query),
  );
  r.post(
    '/api/v1/engagements',
    {
      preValidation: write,
      schema: {
        tags,
        summary:
          'Engagements from a confirmed order: its lines not yet in an engagement (or those chosen), one per line or merged, from the business line’s template',
        body: EngagementCreate,
        response: { 201: EngagementsCreated, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return createEngagements(ctxOf(request), request.body);
    },
  );
  r.get(
    '/api/v1/engagements/:id',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'An engagement with its lines, team, phases and tasks',
        params: IdParams,
        response: one,
      },
    },
    (request) => getEngagement(ctxOf(request), request.params.id),
  );
  r.patch(
    '/api/v1/engagements/:id',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Change the title, lead (a team member), due date or planned hours',
        params: IdParams,
        body: EngagementUpdate,
        response: one,
      },
    },
    (request) => updateEngagement(ctxOf(request), request.params.id, request.body),
  );
  r.post(
    '/api/v1/engagements/:id/cancel',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Cancel an engagement in progress, with a reason',
        params: IdParams,
        body: EngagementCancel,
        response: one,
      },
    },
    (request) => cancelEngagement(ctxOf(request), request.params.id, request.body.reason),
  );
  r.put(
    '/api/v1/engagements/:id/members',
    {
      preValidation: write,
      schema: {
        tags,
        summary:
          'Staff the engagement 人员安排: the whole team at once (the lead stays; someone with open work orders here cannot be removed)',
        params: IdParams,
        body: MembersInput,
        response: one,
      },
    },
    (request) => setMembers(ctxOf(request), request.params.id, request.body),
  );
  r.post(
    '/api/v1/engagements/:id/review',
    {
      preValidation: write,
      schema: {
        tags,
        summary:
          'Send an engagement in progress for review 提交复核 (the firm’s flow of kind engagement-review: 三级复核); it passes at once when no flow applies',
        params: IdParams,
        response: one,
      },
    },
    (request) => sendForReview(ctxOf(request), request.params.id),
  );
  r.post(
    '/api/v1/engagements/:id/report',
    {
      preValidation: write,
      schema: {
        tags,
        summary:
          'Issue the report 出具报告 once the review passed: two different practising CPAs of the team sign it; the report number 报告文号 comes from the business line’s series',
        params: IdParams,
        body: ReportIssue,
        response: one,
      },
    },
    (request) => issueReport(ctxOf(request), request.params.id, request.body),
  );
  r.post(
    '/api/v1/engagements/:id/archive',
    {
      preValidation: write,
      schema: {
        tags,
        summary:
          'Archive a reported engagement 归档: closed 结项 today; with the last engagement of its order the order is completed (completion payment terms fall due)',
        params: IdParams,
        response: one,
      },
    },
    (request) => archiveEngagement(ctxOf(request), request.params.id),
  );
  r.get(
    '/api/v1/engagements/:id/staffing',
    {
      preValidation: write,
      schema: {
        tags,
        summary:
          'Who could fill a role (for those who staff it): the qualified, those with the business line, the least loaded first',
        params: IdParams,
        querystring: StaffingQuery,
        response: { 200: StaffingSuggestions, ...errorResponses },
      },
    },
    (request) => staffingSuggestions(ctxOf(request), request.params.id, request.query),
  );
  r.post(
    '/api/v1/engagements/:id/tasks',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'A task in a phase (dates default to the phase’s; the assignee must be on the team)',
        params: IdParams,
        body: TaskCreate,
        response: { 201: Task, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return createTask(ctxOf(request), request.params.id, request.body);
    },
  );

  r.patch(
    '/api/v1/engagement-tasks/:id',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Re-plan a task: title, role, assignee (a team member), dates, planned hours',
        params: IdParams,
        body: TaskUpdate,
        response: oneTask,
      },
    },
    (request) => updateTask(ctxOf(request), request.params.id, request.body),
  );
  r.post(
    '/api/v1/engagement-tasks/:id/status',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Start, finish or reopen a work order: its assignee or the engagement’s planners',
        params: IdParams,
        body: TaskStatusChange,
        response: oneTask,
      },
    },
    (request) => setTaskStatus(ctxOf(request), request.params.id, request.body.status),
  );
  r.get(
    '/api/v1/engagement-tasks/:id/notes',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'A work order’s comments and working papers, oldest first',
        params: IdParams,
        response: { 200: z.array(TaskNote), ...errorResponses },
      },
    },
    (request) => listTaskNotes(ctxOf(request), request.params.id),
  );
  r.post(
    '/api/v1/engagement-tasks/:id/notes',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Comment on a work order: its assignee, the team or the engagement’s planners',
        params: IdParams,
        body: TaskNoteInput,
        response: { 201: TaskNote, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return addTaskComment(ctxOf(request), request.params.id, request.body.body);
    },
  );
  r.post(
    '/api/v1/engagement-tasks/:id/files',
    {
      preValidation: read,
      // A body announced as larger than one file is refused before it is read (413).
      onRequest: refuseBodiesOver(MAX_FILE_BYTES),
      schema: {
        tags,
        summary: `Attach a working paper 底稿 to a work order (multipart/form-data, field "file", up to ${MAX_FILE_BYTES / 1024 / 1024} MB): its assignee, the team or the planners; within the uploader’s attachment quota`,
        consumes: ['multipart/form-data'],
        params: IdParams,
        response: { 201: TaskNote, ...errorResponses, 413: ErrorBody, 415: ErrorBody },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(request);
      return receiveDocument(
        request,
        reply,
        (bytes) => assertCanAttach(ctx, request.params.id, bytes),
        (file) => attachToTask(ctx, request.params.id, file),
      );
    },
  );
  r.get(
    '/api/v1/engagement-tasks/:id/files/:fileId',
    {
      preValidation: read,
      schema: { tags, summary: 'Download a working paper of a work order', params: AttachmentParams },
    },
    async (request, reply) =>
      sendFile(reply, await getTaskFile(ctxOf(request), request.params.id, request.params.fileId)),
  );

  r.get(
    '/api/v1/work-orders',
    {
      preValidation: read,
      schema: {
        tags,
        summary:
          '我的工单: the tasks assigned to me (open by default), earliest due first, with their engagement’s title and customer',
        querystring: WorkOrderListQuery,
        response: { 200: pageOf(WorkOrder), ...errorResponses },
      },
    },
    (request) => myWorkOrders(ctxOf(request), request.query),
  );
}
