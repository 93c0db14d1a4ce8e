import type { FastifyInstance, FastifyReply } from 'fastify';
import { IdParams, Ok, pageOf } from '../../../common/schemas/common';
import {
  CommissionReport,
  CommissionReportQuery,
  LineAdjust,
  MonthDraft,
  MonthDraftInput,
  PayoutsQuery,
  Policy,
  PolicyInput,
  SharesInput,
  Sheet,
  SheetCreate,
  SheetListQuery,
  SheetSummary,
  WhatIf,
  WhatIfInput,
} from '../../../common/schemas/commissions';
import { z } from 'zod';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { requireAnyPermission, requirePermission } from '../../policy';
import { exportPayouts, exportSheetPayout, type XlsxFile } from './commissions.export';
import { adjustLine, setShares, submitSheet } from './flow.service';
import { commissionReport } from './report.service';
import { cancelSheet, draftSheet, findSheets, getSheet } from './sheets.service';
import { getWhatIf, startWhatIf } from './whatif.service';
import { getMonthDraft, startMonthDraft } from './month.service';
import { adoptPolicy, createPolicy, deletePolicy, findPolicies, getPolicy, updatePolicy } from './policies.service';

/**
 * 佣金: the policy's versions (kept by commissions:configure — administrators and finance; the adopted ones read by
 * everyone with commissions:read, to whom they apply) and the monthly allocation sheets 分配表.
 */
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const sendXlsx = (reply: FastifyReply, file: XlsxFile) =>
  reply
    .header('content-type', XLSX)
    .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
    .header('cache-control', 'private, no-store')
    .send(file.buffer);

export function registerCommissionRoutes(app: FastifyInstance) {
  const r = typed(app);
  const read = requireAnyPermission('commissions:configure', 'commissions:read');
  const configure = requirePermission('commissions:configure');
  const tags = ['commissions'];
  const one = { 200: Policy, ...errorResponses };

  r.get(
    '/api/v1/commission-policies',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'The commission policy 佣金政策 in versions, newest first (drafts only for those who keep it)',
        response: { 200: z.object({ items: z.array(Policy) }), ...errorResponses },
      },
    },
    (request) => findPolicies(ctxOf(request)),
  );
  r.post(
    '/api/v1/commission-policies',
    {
      preValidation: configure,
      schema: {
        tags,
        summary:
          'A new draft version: its rules checked as a whole (numbers, sides, no two equally specific rules one person could meet)',
        body: PolicyInput,
        response: { 201: Policy, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return createPolicy(ctxOf(request), request.body);
    },
  );
  r.get(
    '/api/v1/commission-policies/:id',
    { preValidation: read, schema: { tags, summary: 'One version', params: IdParams, response: one } },
    (request) => getPolicy(ctxOf(request), request.params.id),
  );
  r.put(
    '/api/v1/commission-policies/:id',
    {
      preValidation: configure,
      schema: { tags, summary: 'Replace a draft whole', params: IdParams, body: PolicyInput, response: one },
    },
    (request) => updatePolicy(ctxOf(request), request.params.id, request.body),
  );
  r.post(
    '/api/v1/commission-policies/:id/adopt',
    {
      preValidation: configure,
      schema: {
        tags,
        summary: 'Adopt a draft: in force from its effective date (after every version adopted before), frozen',
        params: IdParams,
        response: one,
      },
    },
    (request) => adoptPolicy(ctxOf(request), request.params.id),
  );
  r.delete(
    '/api/v1/commission-policies/:id',
    {
      preValidation: configure,
      schema: { tags, summary: 'Delete a draft', params: IdParams, response: { 200: Ok, ...errorResponses } },
    },
    async (request) => {
      await deletePolicy(ctxOf(request), request.params.id);
      return { ok: true as const };
    },
  );

  const sheetRead = requirePermission('commissions:read');
  const sheetWrite = requirePermission('commissions:write');
  const sheet = { 200: Sheet, ...errorResponses };
  r.get(
    '/api/v1/commission-sheets',
    {
      preValidation: sheetRead,
      schema: {
        tags,
        summary: 'Allocation sheets 分配表 the reader may see, by month, status, business line or contract',
        querystring: SheetListQuery,
        response: { 200: pageOf(SheetSummary), ...errorResponses },
      },
    },
    (request) => findSheets(ctxOf(request), request.query),
  );
  r.post(
    '/api/v1/commission-sheets',
    {
      preValidation: sheetWrite,
      schema: {
        tags,
        summary:
          'Draft the month’s sheet of a contract (or an order without one): what is not yet counted up to the month’s end, under the policy in force, a line per person that explains itself',
        body: SheetCreate,
        response: { 201: Sheet, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return draftSheet(ctxOf(request), request.body);
    },
  );
  r.post(
    '/api/v1/commission-sheets/month',
    {
      preValidation: sheetWrite,
      schema: {
        tags,
        summary:
          'Draft every sheet of a month at once: each contract (or order without one) the reader may draft with something not yet counted up to the month’s end; 202 with the job’s id to poll',
        body: MonthDraftInput,
        response: { 202: z.object({ id: z.string() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(202);
      return startMonthDraft(ctxOf(request), request.body);
    },
  );
  r.get(
    '/api/v1/commission-sheet-months/:id',
    {
      preValidation: sheetWrite,
      schema: {
        tags,
        summary:
          'A month’s drafting, for the one who started it: progress (subjects done of total), then how many sheets were drafted and which subjects were skipped, and why',
        params: IdParams,
        response: { 200: MonthDraft, ...errorResponses },
      },
    },
    (request) => getMonthDraft(ctxOf(request), request.params.id),
  );
  r.get(
    '/api/v1/commission-sheets/:id',
    {
      preValidation: sheetRead,
      schema: {
        tags,
        summary: 'One sheet with its lines (only one’s own, for a reader with own scope)',
        params: IdParams,
        response: sheet,
      },
    },
    (request) => getSheet(ctxOf(request), request.params.id),
  );
  r.post(
    '/api/v1/commission-sheets/:id/cancel',
    {
      preValidation: sheetWrite,
      schema: {
        tags,
        summary: 'Cancel a draft sheet: what it counted may be counted again',
        params: IdParams,
        response: sheet,
      },
    },
    (request) => cancelSheet(ctxOf(request), request.params.id),
  );
  r.post(
    '/api/v1/commission-sheets/:id/submit',
    {
      preValidation: sheetWrite,
      schema: {
        tags,
        summary:
          'Send the filled-in sheet on (step ①): through the firm’s flow of kind commission-sheet (会计处理 → 项目负责人分配处理 → 财务核对 → 佣金发放); paid at once when no flow applies',
        params: IdParams,
        response: sheet,
      },
    },
    (request) => submitSheet(ctxOf(request), request.params.id),
  );
  r.put(
    '/api/v1/commission-sheets/:id/lines/:lineId',
    {
      preValidation: sheetRead,
      schema: {
        tags,
        summary:
          'Adjust a line with a reason: the draft’s writer within a fifth of what the policy gave, the holder of the current step to any amount from zero',
        params: z.strictObject({ id: IdParams.shape.id, lineId: IdParams.shape.id }),
        body: LineAdjust,
        response: sheet,
      },
    },
    (request) => adjustLine(ctxOf(request), request.params.id, request.params.lineId, request.body),
  );
  r.put(
    '/api/v1/commission-sheets/:id/shares',
    {
      preValidation: sheetRead,
      schema: {
        tags,
        summary:
          'The project lead’s shares of the pools split by shares (step ③, or the draft’s writer): the pools split again to the fen',
        params: IdParams,
        body: SharesInput,
        response: sheet,
      },
    },
    (request) => setShares(ctxOf(request), request.params.id, request.body),
  );
  r.get(
    '/api/v1/commission-sheets/:id/payout.xlsx',
    {
      preValidation: sheetRead,
      schema: {
        tags,
        summary:
          'The sheet’s payout list 佣金发放表 as .xlsx (person, department, role, rule, amount, paid on; a total row), for those who see the whole sheet',
        params: IdParams,
        produces: [XLSX],
        response: { 200: z.unknown().describe('the file'), ...errorResponses },
      },
    },
    async (request, reply) => sendXlsx(reply, await exportSheetPayout(ctxOf(request), request.params.id)),
  );
  r.get(
    '/api/v1/commission-payouts.xlsx',
    {
      preValidation: configure,
      schema: {
        tags,
        summary:
          'Every line of the sheets paid in a month, per person with subtotals and a grand total, as .xlsx for payroll',
        querystring: PayoutsQuery,
        produces: [XLSX],
        response: { 200: z.unknown().describe('the file'), ...errorResponses },
      },
    },
    async (request, reply) => sendXlsx(reply, await exportPayouts(ctxOf(request), request.query.period)),
  );
  r.post(
    '/api/v1/commission-policies/:id/what-if',
    {
      preValidation: configure,
      schema: {
        tags,
        summary:
          'Start a what-if 模拟: the version run over past months (at most 36) and compared with the version in force in each, writing nothing; 202 with the id to poll',
        params: IdParams,
        body: WhatIfInput,
        response: { 202: z.object({ id: z.string() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(202);
      return startWhatIf(ctxOf(request), request.params.id, request.body);
    },
  );
  r.get(
    '/api/v1/commission-what-ifs/:id',
    {
      preValidation: configure,
      schema: {
        tags,
        summary:
          'A what-if’s progress (contract-months done of total) and, once done, its totals, per person and business line, winners and losers',
        params: IdParams,
        response: { 200: WhatIf, ...errorResponses },
      },
    },
    (request) => getWhatIf(ctxOf(request), request.params.id),
  );
  r.get(
    '/api/v1/commission-reports',
    {
      preValidation: sheetRead,
      schema: {
        tags,
        summary:
          '佣金汇总: the lines of a range of months by person, department, business line or month — accrued (not yet paid) vs paid, as the reader may see them',
        querystring: CommissionReportQuery,
        response: { 200: CommissionReport, ...errorResponses },
      },
    },
    (request) => commissionReport(ctxOf(request), request.query),
  );
}
