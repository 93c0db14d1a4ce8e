import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { IdParams } from '../../../common/schemas/common';
import { Contact, ContactErase, Customer, LegalHoldChange } from '../../../common/schemas/customers';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { sendFile } from '../../lib/uploads';
import { requirePermission } from '../../policy';
import { erasePersonalData, exportPersonalData, setLegalHold } from './privacy.service';

/** Personal-information requests (个人信息保护法) about one contact, and the customers' legal hold 法律保全. */
export function registerPrivacyRoutes(app: FastifyInstance) {
  const r = typed(app);
  const tags = ['customers'];
  const admin = requirePermission('staff:manage');

  r.get(
    '/api/v1/contacts/:id/personal-data',
    {
      preValidation: admin,
      schema: {
        tags,
        summary:
          'Export everything held about one contact person (administrators): a .zip of data.json, the files and a summary; audited',
        params: IdParams,
        produces: ['application/zip'],
        response: { 200: z.unknown().describe('the .zip'), ...errorResponses },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(request);
      return sendFile(reply, await exportPersonalData(ctx, request.params.id, ctx.actor.locale));
    },
  );
  r.post(
    '/api/v1/contacts/:id/erase',
    {
      preValidation: admin,
      schema: {
        tags,
        summary:
          "Erase a contact's personal data on request (administrators): anonymised in place, irreversibly; audited",
        description:
          'The body carries the contact’s current name as typed by the user (400 ERASE_CONFIRMATION_MISMATCH otherwise). ' +
          'Refused while the customer is under legal hold (409 LEGAL_HOLD) and for an erased contact (409 CONTACT_ERASED).',
        params: IdParams,
        body: ContactErase,
        response: { 200: Contact, ...errorResponses },
      },
    },
    (request) => erasePersonalData(ctxOf(request), request.params.id, request.body.confirmName),
  );
  r.put(
    '/api/v1/customers/:id/legal-hold',
    {
      preValidation: requirePermission('customers:read'),
      schema: {
        tags,
        summary:
          'Put a customer under legal hold 法律保全 (a reason required) or release it: administrators and those who may reassign every customer; audited',
        params: IdParams,
        body: LegalHoldChange,
        response: { 200: Customer, ...errorResponses },
      },
    },
    (request) => setLegalHold(ctxOf(request), request.params.id, request.body),
  );
}
