import type { FastifyInstance } from 'fastify';
import { IdParams, Ok, pageOf } from '../../../common/schemas/common';
import {
  CpeEntry,
  CpeEntryInput,
  CpeRequirements,
  CpeRequirementsInput,
  CpeShortfallQuery,
  CpeShortfallRow,
  PersonProfileInput,
  PersonRecord,
  Qualification,
  QualificationInput,
  YearQuery,
} from '../../../common/schemas/people';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { requirePermission } from '../../policy';
import {
  addCpeEntry,
  cpeShortfall,
  createQualification,
  deleteCpeEntry,
  deleteQualification,
  getCpeRequirements,
  getPerson,
  saveProfile,
  setCpeRequirements,
  updateQualification,
} from './people.service';

/** 人员档案: a person's record (by their user id), qualifications, continuing education 继续教育. */
export function registerPeopleRoutes(app: FastifyInstance) {
  const r = typed(app);
  const read = requirePermission('staff:read');
  const manage = requirePermission('staff:manage');
  const tags = ['people'];
  const ok = { 200: Ok, ...errorResponses };

  r.get(
    '/api/v1/people/:id',
    {
      preValidation: read,
      schema: {
        tags,
        summary:
          'A person’s record 人员档案 (the id is the user’s): title, education, weekly capacity, qualifications with their expiry state, the CPE year (hours, required, short, entries); mine, my department’s (managers), anyone’s (administrators, partners, finance)',
        params: IdParams,
        querystring: YearQuery,
        response: { 200: PersonRecord, ...errorResponses },
      },
    },
    (request) => getPerson(ctxOf(request), request.params.id, request.query.year),
  );
  r.put(
    '/api/v1/people/:id/profile',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: 'Set a person’s title 职称, education and weekly capacity (administrators)',
        params: IdParams,
        body: PersonProfileInput,
        response: { 200: PersonRecord, ...errorResponses },
      },
    },
    (request) => saveProfile(ctxOf(request), request.params.id, request.body),
  );
  r.post(
    '/api/v1/people/:id/qualifications',
    {
      preValidation: manage,
      schema: {
        tags,
        summary:
          'Add a qualification or certificate (CPA, asset appraiser, cost engineer, tax agent, other by name) with its number, issue and expiry dates; a CPA’s `practising` sets the staff record’s flag (administrators)',
        params: IdParams,
        body: QualificationInput,
        response: { 201: Qualification, ...errorResponses },
      },
    },
    async (request, reply) => {
      const created = await createQualification(ctxOf(request), request.params.id, request.body);
      return reply.code(201).send(created);
    },
  );
  r.put(
    '/api/v1/qualifications/:id',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: 'Change a qualification (administrators); a new expiry date is reminded of again',
        params: IdParams,
        body: QualificationInput,
        response: { 200: Qualification, ...errorResponses },
      },
    },
    (request) => updateQualification(ctxOf(request), request.params.id, request.body),
  );
  r.delete(
    '/api/v1/qualifications/:id',
    {
      preValidation: manage,
      schema: { tags, summary: 'Remove a qualification (administrators)', params: IdParams, response: ok },
    },
    async (request) => {
      await deleteQualification(ctxOf(request), request.params.id);
      return { ok: true as const };
    },
  );
  r.post(
    '/api/v1/people/:id/cpe-entries',
    {
      preValidation: read,
      schema: {
        tags,
        summary:
          'Record continuing education 继续教育 (date not in the future, course, 0.25–24 hours, kind): my own, or anyone’s (administrators)',
        params: IdParams,
        body: CpeEntryInput,
        response: { 201: CpeEntry, ...errorResponses },
      },
    },
    async (request, reply) => {
      const created = await addCpeEntry(ctxOf(request), request.params.id, request.body);
      return reply.code(201).send(created);
    },
  );
  r.delete(
    '/api/v1/cpe-entries/:id',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'Remove a continuing-education entry: my own, or anyone’s (administrators)',
        params: IdParams,
        response: ok,
      },
    },
    async (request) => {
      await deleteCpeEntry(ctxOf(request), request.params.id);
      return { ok: true as const };
    },
  );
  r.get(
    '/api/v1/cpe/shortfall',
    {
      preValidation: requirePermission('staff:read', 'department'),
      schema: {
        tags,
        summary:
          '继续教育: who is short of the CPE hours their qualifications require in a year (default this year), most missing first; my department’s (managers) or everyone (administrators, partners, finance), optionally of one department',
        querystring: CpeShortfallQuery,
        response: { 200: pageOf(CpeShortfallRow), ...errorResponses },
      },
    },
    (request) => cpeShortfall(ctxOf(request), request.query),
  );
  r.get(
    '/api/v1/cpe/requirements',
    {
      preValidation: read,
      schema: {
        tags,
        summary: 'CPE hours a year each qualification kind requires (注册会计师 40 unless set)',
        response: { 200: CpeRequirements, ...errorResponses },
      },
    },
    (request) => getCpeRequirements(ctxOf(request)),
  );
  r.put(
    '/api/v1/cpe/requirements',
    {
      preValidation: manage,
      schema: {
        tags,
        summary: 'Set the CPE hours a year of qualification kinds (administrators)',
        body: CpeRequirementsInput,
        response: { 200: CpeRequirements, ...errorResponses },
      },
    },
    (request) => setCpeRequirements(ctxOf(request), request.body),
  );
}
