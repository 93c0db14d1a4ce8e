import type { FastifyInstance } from 'fastify';
import { ErrorBody, IdParams, Ok, pageOf } from '../../../common/schemas/common';
import { Attachment, AttachmentParams, MAX_FILE_BYTES } from '../../../common/schemas/files';
import {
  AnswerQuery,
  Answers,
  AssignCustomer,
  CustomerSettings,
  CustomerSettingsUpdate,
  Evaluation,
  EvaluationCreate,
  EvaluationSheet,
  EvaluationSheetInput,
  DuplicateCandidate,
  DuplicateQuery,
  MergeCustomer,
  Contact,
  CustomerService,
  CustomerServiceCreate,
  CustomerServiceListQuery,
  CustomerServiceUpdate,
  ContactCreate,
  ContactListQuery,
  ContactLog,
  ContactLogCreate,
  ContactLogListQuery,
  ContactUpdate,
  Customer,
  CustomerCreate,
  CustomerListQuery,
  CustomerOverview,
  CustomerUpdate,
  OwnerChange,
  ReleaseCustomer,
  ShareCustomer,
  NextContactChange,
} from '../../../common/schemas/customers';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { refuseBodiesOver, sendFile } from '../../lib/uploads';
import { receiveDocument } from '../files/receive';
import { requirePermission } from '../../policy';
import { findAnswers } from './answers.service';
import { getCustomerOverview } from './overview.service';
import { getCustomerSettings, updateCustomerSettings } from './pool-rule.service';
import { evaluateCustomer, findEvaluations, getCurrentSheet, saveSheet } from './evaluations.service';
import { DISCLOSE_SIMILARITY, DUPLICATE_CHECKS_PER_MINUTE, findDuplicates, mergeCustomers } from './duplicates.service';
import {
  completeCustomerService,
  createCustomerService,
  deleteCustomerService,
  findCustomerServices,
  getCustomerService,
  updateCustomerService,
} from './customer-services.service';
import {
  attachToContactLog,
  createContactLog,
  deleteContactLog,
  findContactLogs,
  getContactLog,
  getContactLogFile,
  removeContactLogFile,
  assertCanAttach,
} from './contact-logs.service';
import { createContact, deleteContact, findContacts, getContact, updateContact } from './contacts.service';
import {
  assignCustomer,
  claimCustomer,
  createCustomer,
  findCustomers,
  findOwnerChanges,
  getCustomer,
  releaseCustomer,
  setNextContact,
  shareCustomer,
  updateCustomer,
} from './customers.service';

export function registerCustomerRoutes(app: FastifyInstance) {
  const r = typed(app);
  const read = requirePermission('customers:read');
  const write = requirePermission('customers:write');
  const tags = ['customers'];

  r.get(
    '/api/v1/customers',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Customers visible to me (own, shared, department, pool)',
        querystring: CustomerListQuery,
        response: { 200: pageOf(Customer), ...errorResponses },
      },
    },
    (request) => findCustomers(ctxOf(request), request.query),
  );
  r.get(
    '/api/v1/customers/duplicates',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Possible duplicates: same credit code, same or similar name (firm-wide; ids only of visible ones)',
        description:
          `A customer the caller cannot see is named (name and owner, no id) only on the same full credit code, the same name without legal forms, or a name at least ${DISCLOSE_SIMILARITY} alike (pg_trgm similarity); each such answer is written to the audit log (action \`disclose\`). ` +
          `At most ${DUPLICATE_CHECKS_PER_MINUTE} checks a minute per user (429 DUPLICATE_CHECK_RATE_LIMITED with Retry-After).`,
        querystring: DuplicateQuery,
        response: { 200: DuplicateCandidate.array(), ...errorResponses, 429: ErrorBody },
      },
    },
    (request) => findDuplicates(ctxOf(request), request.query),
  );
  r.post(
    '/api/v1/customers',
    { preValidation: write, schema: { tags, body: CustomerCreate, response: { 201: Customer, ...errorResponses } } },
    async (request, reply) => {
      reply.status(201);
      return createCustomer(ctxOf(request), request.body);
    },
  );
  r.get(
    '/api/v1/customers/:id',
    { preValidation: read, schema: { tags, params: IdParams, response: { 200: Customer, ...errorResponses } } },
    (request) => getCustomer(ctxOf(request), request.params.id),
  );
  r.get(
    '/api/v1/customers/:id/overview',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'The customer page in one answer: the customer, its contacts and the first page of its contact log',
        params: IdParams,
        response: { 200: CustomerOverview, ...errorResponses },
      },
    },
    (request) => getCustomerOverview(ctxOf(request), request.params.id),
  );
  r.patch(
    '/api/v1/customers/:id',
    {
      preValidation: write,
      schema: { tags, params: IdParams, body: CustomerUpdate, response: { 200: Customer, ...errorResponses } },
    },
    (request) => updateCustomer(ctxOf(request), request.params.id, request.body),
  );
  r.post(
    '/api/v1/customers/:id/claim',
    {
      preValidation: requirePermission('customers:pool'),
      schema: {
        tags,
        summary: 'Take a customer from the public pool 公海',
        params: IdParams,
        response: { 200: Customer, ...errorResponses },
      },
    },
    (request) => claimCustomer(ctxOf(request), request.params.id),
  );
  r.post(
    '/api/v1/customers/:id/next-contact',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Reschedule the next contact (until the next logged contact sets it)',
        params: IdParams,
        body: NextContactChange,
        response: { 200: Customer, ...errorResponses },
      },
    },
    (request) => setNextContact(ctxOf(request), request.params.id, request.body.on),
  );
  r.post(
    '/api/v1/customers/:id/release',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Give a customer back to the pool',
        params: IdParams,
        body: ReleaseCustomer,
        response: { 200: Customer, ...errorResponses },
      },
    },
    (request) => releaseCustomer(ctxOf(request), request.params.id, request.body.reason),
  );
  r.post(
    '/api/v1/customers/:id/assign',
    {
      preValidation: requirePermission('customers:assign'),
      schema: {
        tags,
        summary: 'Give a customer to another salesperson',
        params: IdParams,
        body: AssignCustomer,
        response: { 200: Customer, ...errorResponses },
      },
    },
    (request) => assignCustomer(ctxOf(request), request.params.id, request.body.ownerId, request.body.reason),
  );
  r.post(
    '/api/v1/customers/:id/share',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Set the colleagues a customer is shared with',
        params: IdParams,
        body: ShareCustomer,
        response: { 200: Customer, ...errorResponses },
      },
    },
    (request) => shareCustomer(ctxOf(request), request.params.id, request.body.userIds),
  );
  r.post(
    '/api/v1/customers/:id/merge',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Merge a duplicate into this customer, keeping all contacts, logs and history',
        params: IdParams,
        body: MergeCustomer,
        response: { 200: Customer, ...errorResponses },
      },
    },
    (request) => mergeCustomers(ctxOf(request), request.params.id, request.body.duplicateId),
  );
  r.get(
    '/api/v1/customers/:id/owner-history',
    {
      preValidation: read,
      schema: { tags, params: IdParams, response: { 200: OwnerChange.array(), ...errorResponses } },
    },
    (request) => findOwnerChanges(ctxOf(request), request.params.id),
  );

  r.get(
    '/api/v1/answers',
    {
      preValidation: read,
      schema: {
        tags,
        summary:
          'The answer box: customers matching a name, fragment, pinyin initials, phone, e-mail or credit code, with their answers',
        querystring: AnswerQuery,
        response: { 200: Answers, ...errorResponses },
      },
    },
    async (request) => ({
      cards: await findAnswers(ctxOf(request), request.query.q, request.query.limit),
    }),
  );

  r.get(
    '/api/v1/contacts',
    {
      preValidation: read,
      schema: { tags, querystring: ContactListQuery, response: { 200: pageOf(Contact), ...errorResponses } },
    },
    (request) => findContacts(ctxOf(request), request.query),
  );
  r.post(
    '/api/v1/contacts',
    { preValidation: write, schema: { tags, body: ContactCreate, response: { 201: Contact, ...errorResponses } } },
    async (request, reply) => {
      reply.status(201);
      return createContact(ctxOf(request), request.body);
    },
  );
  r.get(
    '/api/v1/contacts/:id',
    { preValidation: read, schema: { tags, params: IdParams, response: { 200: Contact, ...errorResponses } } },
    (request) => getContact(ctxOf(request), request.params.id),
  );
  r.patch(
    '/api/v1/contacts/:id',
    {
      preValidation: write,
      schema: { tags, params: IdParams, body: ContactUpdate, response: { 200: Contact, ...errorResponses } },
    },
    (request) => updateContact(ctxOf(request), request.params.id, request.body),
  );
  r.delete(
    '/api/v1/contacts/:id',
    { preValidation: write, schema: { tags, params: IdParams, response: { 200: Ok, ...errorResponses } } },
    async (request) => {
      await deleteContact(ctxOf(request), request.params.id);
      return { ok: true as const };
    },
  );

  r.get(
    '/api/v1/contact-logs',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'The contact log 联系记录',
        querystring: ContactLogListQuery,
        response: { 200: pageOf(ContactLog), ...errorResponses },
      },
    },
    (request) => findContactLogs(ctxOf(request), request.query),
  );
  r.post(
    '/api/v1/contact-logs',
    {
      preValidation: write,
      schema: { tags, body: ContactLogCreate, response: { 201: ContactLog, ...errorResponses } },
    },
    async (request, reply) => {
      reply.status(201);
      return createContactLog(ctxOf(request), request.body);
    },
  );
  r.get(
    '/api/v1/contact-logs/:id',
    { preValidation: read, schema: { tags, params: IdParams, response: { 200: ContactLog, ...errorResponses } } },
    (request) => getContactLog(ctxOf(request), request.params.id),
  );
  r.delete(
    '/api/v1/contact-logs/:id',
    { preValidation: write, schema: { tags, params: IdParams, response: { 200: Ok, ...errorResponses } } },
    async (request) => {
      await deleteContactLog(ctxOf(request), request.params.id);
      return { ok: true as const };
    },
  );

  r.post(
    '/api/v1/contact-logs/:id/attachments',
    {
      // A body announced as larger than one file is refused before it is read (413).
      onRequest: refuseBodiesOver(MAX_FILE_BYTES),
      preValidation: write,
      schema: {
        tags,
        summary: `Attach one document (multipart/form-data, field "file", up to ${MAX_FILE_BYTES / 1024 / 1024} MB; one file per request)`,
        description:
          'The file is streamed to disk as it arrives and stored once complete. A second file in the request is refused ' +
          '(400 FILE_ONE_PER_REQUEST); so is a file beyond the uploader’s attachment quota (413 STORAGE_QUOTA_EXCEEDED, customer settings ' +
          '`attachmentQuotaMb`) — checked against the announced size before reading and against the real size before storing. ' +
          'The answer is a list holding the one stored attachment.',
        consumes: ['multipart/form-data'],
        params: IdParams,
        response: { 201: Attachment.array(), ...errorResponses, 413: ErrorBody, 415: ErrorBody },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(request);
      const stored = await receiveDocument(
        request,
        reply,
        (bytes) => assertCanAttach(ctx, request.params.id, bytes),
        (file) => attachToContactLog(ctx, request.params.id, file),
      );
      return [stored];
    },
  );
  r.get(
    '/api/v1/contact-logs/:id/attachments/:fileId',
    { preValidation: read, schema: { tags, summary: 'Download a document', params: AttachmentParams } },
    async (request, reply) => {
      const file = await getContactLogFile(ctxOf(request), request.params.id, request.params.fileId);
      return sendFile(reply, file);
    },
  );
  r.delete(
    '/api/v1/contact-logs/:id/attachments/:fileId',
    { preValidation: write, schema: { tags, params: AttachmentParams, response: { 200: Ok, ...errorResponses } } },
    async (request) => {
      await removeContactLogFile(ctxOf(request), request.params.id, request.params.fileId);
      return { ok: true as const };
    },
  );

  r.get(
    '/api/v1/customer-services',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Recurring services (annual audit, monthly bookkeeping …) and when each is next due',
        querystring: CustomerServiceListQuery,
        response: { 200: pageOf(CustomerService), ...errorResponses },
      },
    },
    (request) => findCustomerServices(ctxOf(request), request.query),
  );
  r.post(
    '/api/v1/customer-services',
    {
      preValidation: write,
      schema: { tags, body: CustomerServiceCreate, response: { 201: CustomerService, ...errorResponses } },
    },
    async (request, reply) => {
      reply.status(201);
      return createCustomerService(ctxOf(request), request.body);
    },
  );
  r.get(
    '/api/v1/customer-services/:id',
    { preValidation: read, schema: { tags, params: IdParams, response: { 200: CustomerService, ...errorResponses } } },
    (request) => getCustomerService(ctxOf(request), request.params.id),
  );
  r.patch(
    '/api/v1/customer-services/:id',
    {
      preValidation: write,
      schema: {
        tags,
        params: IdParams,
        body: CustomerServiceUpdate,
        response: { 200: CustomerService, ...errorResponses },
      },
    },
    (request) => updateCustomerService(ctxOf(request), request.params.id, request.body),
  );
  r.post(
    '/api/v1/customer-services/:id/complete',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'This occurrence is done; the next is one cycle later',
        params: IdParams,
        response: { 200: CustomerService, ...errorResponses },
      },
    },
    (request) => completeCustomerService(ctxOf(request), request.params.id),
  );
  r.delete(
    '/api/v1/customer-services/:id',
    { preValidation: write, schema: { tags, params: IdParams, response: { 200: Ok, ...errorResponses } } },
    async (request) => {
      await deleteCustomerService(ctxOf(request), request.params.id);
      return { ok: true as const };
    },
  );

  r.get(
    '/api/v1/evaluation-sheet',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'The customer value evaluation sheet 客户价值评估表 in force (null before one is set up)',
        response: { 200: EvaluationSheet.nullable(), ...errorResponses },
      },
    },
    (request) => getCurrentSheet(request.server.db),
  );
  r.put(
    '/api/v1/evaluation-sheet',
    {
      preValidation: requirePermission('customers:configure'),
      schema: {
        tags,
        summary: 'Save a new version of the sheet (weights add up to 100%)',
        body: EvaluationSheetInput,
        response: { 200: EvaluationSheet, ...errorResponses },
      },
    },
    (request) => saveSheet(ctxOf(request), request.body),
  );
  r.post(
    '/api/v1/customers/:id/evaluations',
    {
      preValidation: write,
      schema: {
        tags,
        summary: 'Score a customer on the sheet: value score and tier',
        params: IdParams,
        body: EvaluationCreate,
        response: { 201: Evaluation, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return evaluateCustomer(ctxOf(request), request.params.id, request.body);
    },
  );
  r.get(
    '/api/v1/customers/:id/evaluations',
    {
      preValidation: read,
      schema: {
        tags,
        summary: "The history of a customer's evaluations",
        params: IdParams,
        response: { 200: Evaluation.array(), ...errorResponses },
      },
    },
    (request) => findEvaluations(ctxOf(request), request.params.id),
  );

  r.get(
    '/api/v1/customer-settings',
    {
      preValidation: read,
      schema: {
        tags,
        summary:
          'Settings of the customers module (the pool return rule, when customers count as inactive, the attachment quota per user)',
        response: { 200: CustomerSettings, ...errorResponses },
      },
    },
    (request) => getCustomerSettings(request.server.db),
  );
  r.patch(
    '/api/v1/customer-settings',
    {
      preValidation: requirePermission('customers:configure'),
      schema: { tags, body: CustomerSettingsUpdate, response: { 200: CustomerSettings, ...errorResponses } },
    },
    (request) => updateCustomerSettings(ctxOf(request), request.body),
  );
}
