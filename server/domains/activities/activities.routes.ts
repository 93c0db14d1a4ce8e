import type { FastifyInstance } from 'fastify';
import {
  Activity,
  ActivityCategoryCreate,
  ActivityCategoryItem,
  ActivityCategoryUpdate,
  ActivityComplete,
  ActivityCompleted,
  ActivityCreate,
  ActivityListQuery,
  ActivityUpdate,
  CategoryParams,
} from '../../../common/schemas/activities';
import { z } from 'zod';
import { requirePermission } from '../../policy';
import { createCategory, findCategories, updateCategory } from './categories.service';
import { IdParams, Ok, pageOf } from '../../../common/schemas/common';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { requireActivityAccess } from './activities.policy';
import {
  completeActivity,
  createActivity,
  deleteActivity,
  findActivities,
  getActivity,
  updateActivity,
} from './activities.service';

/**
 * Activities 活动 on leads, opportunities and customers. The guard only asks that the caller
 * reads some kind of parent record; visibility and write access follow each activity's parent.
 */
export function registerActivityRoutes(app: FastifyInstance) {
  const r = typed(app);
  const guard = requireActivityAccess;
  const tags = ['activities'];

  r.get(
    '/api/v1/activity-categories',
    {
      preValidation: guard,
      schema: {
        tags,
        summary: 'Activity categories in the firm’s order (inactive ones too, for old activities)',
        response: { 200: z.object({ items: z.array(ActivityCategoryItem) }), ...errorResponses },
      },
    },
    async (request) => ({
      items: await findCategories(ctxOf(request).db),
    }),
  );
  const configure = requirePermission('sales:configure');
  r.post(
    '/api/v1/activity-categories',
    {
      preValidation: configure,
      schema: { tags, body: ActivityCategoryCreate, response: { 201: ActivityCategoryItem, ...errorResponses } },
    },
    async (request, reply) => {
      reply.status(201);
      return createCategory(ctxOf(request), request.body);
    },
  );
  r.patch(
    '/api/v1/activity-categories/:code',
    {
      preValidation: configure,
      schema: {
        tags,
        summary: 'Rename, reorder or switch off a category',
        params: CategoryParams,
        body: ActivityCategoryUpdate,
        response: { 200: ActivityCategoryItem, ...errorResponses },
      },
    },
    (request) => updateCategory(ctxOf(request), request.params.code, request.body),
  );
  r.get(
    '/api/v1/activities',
    {
      preValidation: guard,
      schema: {
        tags,
        summary:
          'Activities visible to me (mine, and those on records I can see); without sort: planned by due time, then done newest first',
        querystring: ActivityListQuery,
        response: { 200: pageOf(Activity), ...errorResponses },
      },
    },
    (request) => findActivities(ctxOf(request), request.query),
  );
  r.post(
    '/api/v1/activities',
    {
      preValidation: guard,
      schema: {
        tags,
        summary: 'Log a done activity or plan one (due in the future) on a lead, an opportunity or a customer',
        body: ActivityCreate,
        response: { 201: Activity, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return createActivity(ctxOf(request), request.body);
    },
  );
  r.get(
    '/api/v1/activities/:id',
    { preValidation: guard, schema: { tags, params: IdParams, response: { 200: Activity, ...errorResponses } } },
    (request) => getActivity(ctxOf(request), request.params.id),
  );
  r.patch(
    '/api/v1/activities/:id',
    {
      preValidation: guard,
      schema: { tags, params: IdParams, body: ActivityUpdate, response: { 200: Activity, ...errorResponses } },
    },
    (request) => updateActivity(ctxOf(request), request.params.id, request.body),
  );
  r.post(
    '/api/v1/activities/:id/complete',
    {
      preValidation: guard,
      schema: {
        tags,
        summary: 'Mark a planned activity done, optionally planning the next one in the same step',
        params: IdParams,
        body: ActivityComplete,
        response: { 200: ActivityCompleted, ...errorResponses },
      },
    },
    (request) => completeActivity(ctxOf(request), request.params.id, request.body),
  );
  r.delete(
    '/api/v1/activities/:id',
    { preValidation: guard, schema: { tags, params: IdParams, response: { 200: Ok, ...errorResponses } } },
    async (request) => {
      await deleteActivity(ctxOf(request), request.params.id);
      return { ok: true as const };
    },
  );
}
