import type { FastifyInstance } from 'fastify';
import { ErrorBody, IdParams, pageOf } from '../../../common/schemas/common';
import {
  Contract,
  ContractCreate,
  ContractListQuery,
  ContractReason,
  ContractSign,
  ContractSummary,
  ContractUpdate,
  Order,
  OrderComplete,
  OrderConfirm,
  OrderCreate,
  OrderListQuery,
  RecurringUpdate,
} from '../../../common/schemas/contracts';
import { MAX_FILE_BYTES } from '../../../common/schemas/files';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { receiveOneFile, refuseBodiesOver, sendFile } from '../../lib/uploads';
import { requirePermission } from '../../policy';
import { fileTypeOf } from '../files/files.service';
import {
  attachSignedCopy,
  createContract,
  endContract,
  findContracts,
  getContract,
  getContractFile,
  signContract,
  submitContract,
  updateContract,
} from './contracts.service';
import { setContractRecurring, setOrderRecurring } from './recurring.service';
import { cancelOrder, completeOrder, confirmOrder, createOrder, findOrders, getOrder } from './orders.service';

/** 销售合同 and 销售订单. */
export function registerContractRoutes(app: FastifyInstance) {
  const r = typed(app);
  const read = requirePermission('contracts:read');
  const write = requirePermission('contracts:write');
  const tags = ['contracts'];
  const one = { 200: Contract, ...errorResponses };

  r.get(
    '/api/v1/contracts',
    {
      preValidation: read,
      schema: {
        tags,
        summary:
          'Contracts 销售合同 the reader may see, filtered by status, business line, customer, opportunity, owner',
        querystring: ContractListQuery,
        response: { 200: pageOf(ContractSummary), ...errorResponses },
      },
    },
    (request) => findContracts(ctxOf(request), request.query),
  );
  r.post(
    '/api/v1/contracts',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'A contract from a won opportunity (customer, accepted quote’s lines, team) or blank',
        body: ContractCreate,
        response: { 201: Contract, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return createContract(ctxOf(request), request.body);
    },
  );
  r.get(
    '/api/v1/contracts/:id',
    { preValidation: read, schema: { tags, params: IdParams, response: one } },
    (request) => getContract(ctxOf(request), request.params.id),
  );
  r.patch(
    '/api/v1/contracts/:id',
    {
      preValidation: write,
      schema: { tags, summary: 'Change a draft', params: IdParams, body: ContractUpdate, response: one },
    },
    (request) => updateContract(ctxOf(request), request.params.id, request.body),
  );
  r.patch(
    '/api/v1/contracts/:id/recurring',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Mark recurring 循环 (monthly / quarterly / annual) or not, in any state but voided or terminated',
        params: IdParams,
        body: RecurringUpdate,
        response: one,
      },
    },
    (request) => setContractRecurring(ctxOf(request), request.params.id, request.body),
  );
  r.patch(
    '/api/v1/orders/:id/recurring',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Mark an order without a contract recurring or not (an order of a contract recurs with it)',
        params: IdParams,
        body: RecurringUpdate,
        response: { 200: Order, ...errorResponses },
      },
    },
    (request) => setOrderRecurring(ctxOf(request), request.params.id, request.body),
  );
  r.post(
    '/api/v1/contracts/:id/submit',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Send a draft for approval (approved at once when no flow applies)',
        params: IdParams,
        response: one,
      },
    },
    (request) => submitContract(ctxOf(request), request.params.id),
  );
  r.post(
    '/api/v1/contracts/:id/sign',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Sign an approved contract: payment terms adding up to the amount; the number is given now',
        params: IdParams,
        body: ContractSign,
        response: one,
      },
    },
    (request) => signContract(ctxOf(request), request.params.id, request.body),
  );
  for (const action of ['terminate', 'void'] as const)
    r.post(
      `/api/v1/contracts/:id/${action}`,
      {
        preValidation: write,
        schema: {
          tags,
          summary:
            action === 'terminate'
              ? 'End a signed contract early, with a reason'
              : 'Void a contract (no money received), with a reason; it keeps its number',
          params: IdParams,
          body: ContractReason,
          response: one,
        },
      },
      (request) => endContract(ctxOf(request), request.params.id, action, request.body.reason),
    );
  r.post(
    '/api/v1/contracts/:id/signed-copy',
    {
      preValidation: write,
      onRequest: refuseBodiesOver(MAX_FILE_BYTES),
      schema: {
        tags,
        summary: `Upload the scanned signed copy (multipart/form-data, field "file", up to ${MAX_FILE_BYTES / 1024 / 1024} MB)`,
        consumes: ['multipart/form-data'],
        params: IdParams,
        response: { ...one, 413: ErrorBody, 415: ErrorBody },
      },
    },
    async (request, reply) => {
      const { file } = await receiveOneFile(request, reply, {
        maxBytes: MAX_FILE_BYTES,
        check: (filename) => void fileTypeOf(filename),
      });
      try {
        return await attachSignedCopy(ctxOf(request), request.params.id, file);
      } finally {
        await file.discard();
      }
    },
  );
  r.get(
    '/api/v1/contracts/:id/signed-copy',
    { preValidation: read, schema: { tags, summary: 'Download the scanned signed copy', params: IdParams } },
    async (request, reply) => sendFile(reply, await getContractFile(ctxOf(request), request.params.id, 'signed-copy')),
  );

  const oneOrder = { 200: Order, ...errorResponses };
  r.get(
    '/api/v1/orders',
    {
      preValidation: read,
      schema: { tags, querystring: OrderListQuery, response: { 200: pageOf(Order), ...errorResponses } },
    },
    (request) => findOrders(ctxOf(request), request.query),
  );
  r.post(
    '/api/v1/orders',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'An order from a signed contract, or from a won opportunity without a contract',
        body: OrderCreate,
        response: { 201: Order, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return createOrder(ctxOf(request), request.body);
    },
  );
  r.get(
    '/api/v1/orders/:id',
    { preValidation: read, schema: { tags, params: IdParams, response: oneOrder } },
    (request) => getOrder(ctxOf(request), request.params.id),
  );
  r.post(
    '/api/v1/orders/:id/confirm',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Confirm a draft order: its number is given now (an order without a contract may set its terms)',
        params: IdParams,
        body: OrderConfirm.optional(),
        response: oneOrder,
      },
    },
    (request) => confirmOrder(ctxOf(request), request.params.id, request.body?.terms),
  );
  r.post(
    '/api/v1/orders/:id/complete',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Mark a confirmed order completed 结项: completion-triggered terms fall due and remind',
        params: IdParams,
        body: OrderComplete,
        response: oneOrder,
      },
    },
    (request) => completeOrder(ctxOf(request), request.params.id, request.body.completedOn),
  );
  r.post(
    '/api/v1/orders/:id/cancel',
    {
      preValidation: write,
      schema: { tags, params: IdParams, body: ContractReason, response: oneOrder },
    },
    (request) => cancelOrder(ctxOf(request), request.params.id, request.body.reason),
  );
}
