import type { FastifyInstance } from 'fastify';
import { IdParams, pageOf } from '../../../common/schemas/common';
import {
  EngagementBudget,
  TimeEntry,
  TimeEntryListQuery,
  TimesheetInput,
  TimesheetParams,
  TimesheetQuery,
  TimesheetWeek,
} from '../../../common/schemas/timesheets';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { requirePermission } from '../../policy';
import { engagementBudget, findTimeEntries, getTimesheet, saveTimesheet, submitTimesheet } from './timesheets.service';

/** 工时: the weekly timesheet, time entries and an engagement's budget against its hours. */
export function registerTimesheetRoutes(app: FastifyInstance) {
  const r = typed(app);
  // Everyone with engagements records their own time; what else one reads follows the scope.
  const read = requirePermission('engagements:read');
  const tags = ['timesheets'];
  const week = { 200: TimesheetWeek, ...errorResponses };

  r.get(
    '/api/v1/timesheets/:weekStart',
    {
      preValidation: read,
      schema: {
        tags,
        summary:
          'A week of time (the Monday names it): rows per engagement (and work order) or category with hours per day, totals, approval; mine, or a person of my department (managers), anyone’s (partners, finance)',
        params: TimesheetParams,
        querystring: TimesheetQuery,
        response: week,
      },
    },
    (request) => getTimesheet(ctxOf(request), request.params.weekStart, request.query.userId),
  );
  r.put(
    '/api/v1/timesheets/:weekStart',
    {
      preValidation: read,
      schema: {
        tags,
        summary:
          'Save my week’s grid: my entries of the week become its cells (at most 24 h a day, quarter hours, engagements I am on and not closed; not once submitted or approved)',
        params: TimesheetParams,
        body: TimesheetInput,
        response: week,
      },
    },
    (request) => saveTimesheet(ctxOf(request), request.params.weekStart, request.body),
  );
  r.post(
    '/api/v1/timesheets/:weekStart/submit',
    {
      preValidation: read,
      schema: {
        tags,
        summary:
          'Submit my week for approval (the timesheet flow: the project lead or the manager); approved at once when no flow applies; locked until returned',
        params: TimesheetParams,
        response: week,
      },
    },
    (request) => submitTimesheet(ctxOf(request), request.params.weekStart),
  );
  r.get(
    '/api/v1/time-entries',
    {
      preValidation: read,
      schema: {
        tags,
        summary:
          'Time entries I may see (mine; my department’s people’s as a manager; everyone’s for partners and finance), by person, engagement, category and dates',
        querystring: TimeEntryListQuery,
        response: { 200: pageOf(TimeEntry), ...errorResponses },
      },
    },
    (request) => findTimeEntries(ctxOf(request), request.query),
  );
  r.get(
    '/api/v1/engagements/:id/budget',
    {
      preValidation: read,
      schema: {
        tags,
        summary:
          'An engagement’s planned hours against the hours logged, overall and per phase, with the warning from 80 % and from 100 %',
        params: IdParams,
        response: { 200: EngagementBudget, ...errorResponses },
      },
    },
    (request) => engagementBudget(ctxOf(request), request.params.id),
  );
}
