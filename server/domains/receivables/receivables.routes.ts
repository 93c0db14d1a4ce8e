import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { IdParams, pageOf } from '../../../common/schemas/common';
import {
  Invoice,
  InvoiceCreate,
  InvoiceListQuery,
  ReasonBody,
  Receipt,
  ReceiptAllocate,
  ReceiptCreate,
  ReceiptListQuery,
  ReceivablesExportQuery,
  ReceivablesQuery,
  Receivables,
  ReceivableTerm,
  ReceivableTermsQuery,
} from '../../../common/schemas/receivables';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { requirePermission } from '../../policy';
import { createInvoice, findInvoices, getInvoice, voidInvoice } from './invoices.service';
import { allocateReceipt, createReceipt, findReceipts, getReceipt, reverseReceipt } from './receipts.service';
import { exportReceivables } from './receivables.export';
import { findReceivableTerms, getReceivables } from './receivables.service';

/** Receipts 到款, invoices 发票 and receivables 应收账款: finance writes, those with receivables:read read. */
export function registerReceivableRoutes(app: FastifyInstance) {
  const r = typed(app);
  const read = requirePermission('receivables:read');
  const write = requirePermission('receipts:write');

  r.get(
    '/api/v1/receipts',
    {
      preValidation: read,
      schema: {
        tags: ['receipts'],
        summary: 'Receipts of the contracts and orders whose receivables I see, newest first',
        querystring: ReceiptListQuery,
        response: { 200: pageOf(Receipt), ...errorResponses },
      },
    },
    (request) => findReceipts(ctxOf(request), request.query),
  );
  r.get(
    '/api/v1/receipts/:id',
    {
      preValidation: read,
      schema: {
        tags: ['receipts'],
        summary: 'A receipt with the terms it went to',
        params: IdParams,
        response: { 200: Receipt, ...errorResponses },
      },
    },
    (request) => getReceipt(ctxOf(request), request.params.id),
  );
  r.post(
    '/api/v1/receipts',
    {
      preValidation: write,
      schema: {
        tags: ['receipts'],
        summary:
          'Record money that arrived against a contract (or an order without one), allocated oldest due first or as chosen; more than is outstanding is refused unless holdExcess keeps the rest as credit',
        body: ReceiptCreate,
        response: { 201: Receipt, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return createReceipt(ctxOf(request), request.body);
    },
  );
  r.post(
    '/api/v1/receipts/:id/allocate',
    {
      preValidation: write,
      schema: {
        tags: ['receipts'],
        summary:
          'Allocate a receipt’s unallocated credit to terms; `unallocated` is the credit the caller saw (409 RECEIPT_CHANGED when it changed meanwhile)',
        params: IdParams,
        body: ReceiptAllocate,
        response: { 200: Receipt, ...errorResponses },
      },
    },
    (request) => allocateReceipt(ctxOf(request), request.params.id, request.body),
  );
  r.post(
    '/api/v1/receipts/:id/reverse',
    {
      preValidation: write,
      schema: {
        tags: ['receipts'],
        summary: 'Reverse a wrong receipt with a reason (never deleted): its terms’ received amounts go back',
        params: IdParams,
        body: ReasonBody,
        response: { 200: Receipt, ...errorResponses },
      },
    },
    (request) => reverseReceipt(ctxOf(request), request.params.id, request.body.reason),
  );

  r.get(
    '/api/v1/invoices',
    {
      preValidation: read,
      schema: {
        tags: ['invoices'],
        summary: 'Invoices of the contracts and orders whose receivables I see, newest first',
        querystring: InvoiceListQuery,
        response: { 200: pageOf(Invoice), ...errorResponses },
      },
    },
    (request) => findInvoices(ctxOf(request), request.query),
  );
  r.get(
    '/api/v1/invoices/:id',
    {
      preValidation: read,
      schema: {
        tags: ['invoices'],
        summary: 'An invoice with the terms it went against',
        params: IdParams,
        response: { 200: Invoice, ...errorResponses },
      },
    },
    (request) => getInvoice(ctxOf(request), request.params.id),
  );
  r.post(
    '/api/v1/invoices',
    {
      preValidation: write,
      schema: {
        tags: ['invoices'],
        summary:
          'Record an invoice (增值税普通发票 / 专用发票) against terms, oldest due first or as chosen; never more than the terms have left to invoice',
        body: InvoiceCreate,
        response: { 201: Invoice, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return createInvoice(ctxOf(request), request.body);
    },
  );
  r.post(
    '/api/v1/invoices/:id/void',
    {
      preValidation: write,
      schema: {
        tags: ['invoices'],
        summary: 'Void an invoice with a reason: its terms’ invoiced amounts go back',
        params: IdParams,
        body: ReasonBody,
        response: { 200: Invoice, ...errorResponses },
      },
    },
    (request) => voidInvoice(ctxOf(request), request.params.id, request.body.reason),
  );

  r.get(
    '/api/v1/receivables',
    {
      preValidation: read,
      schema: {
        tags: ['receivables'],
        summary:
          'What is outstanding, grouped by customer, contract, owner, department or branch, aged by days past due (today in the firm’s time zone), with the totals of every group',
        querystring: ReceivablesQuery,
        response: { 200: Receivables, ...errorResponses },
      },
    },
    (request) => getReceivables(ctxOf(request), request.query),
  );
  r.get(
    '/api/v1/receivables/terms',
    {
      preValidation: read,
      schema: {
        tags: ['receivables'],
        summary: 'The terms behind a group and/or an ageing bucket, or of one contract or order, oldest due first',
        querystring: ReceivableTermsQuery,
        response: { 200: pageOf(ReceivableTerm), ...errorResponses },
      },
    },
    (request) => findReceivableTerms(ctxOf(request), request.query),
  );
  r.get(
    '/api/v1/receivables/export.xlsx',
    {
      preValidation: read,
      schema: {
        tags: ['receivables'],
        summary: 'The ageing (grouped as asked, with totals) and every open term behind it, as .xlsx',
        querystring: ReceivablesExportQuery,
        produces: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
        response: { 200: z.unknown().describe('the file'), ...errorResponses },
      },
    },
    async (request, reply) => {
      const file = await exportReceivables(ctxOf(request), request.query);
      return reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
        .header('cache-control', 'private, no-store')
        .send(file.stream);
    },
  );
}
