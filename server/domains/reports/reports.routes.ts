import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { REPORT_PERMISSION, ReportAnswer, ReportCatalogue } from '../../../common/schemas/reports';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { requirePermission } from '../../policy';
import { reportCatalogue, REPORTS } from './reports';
import { reportXlsx } from './reports.export';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * 销售报表: GET /api/v1/reports (the reports the reader may open), and per report GET /api/v1/reports/<kind> (the
 * answer) and GET /api/v1/reports/<kind>/export.xlsx (the same answer as a workbook). Each report is gated by the
 * permission of the records it counts and reads them under that permission's visibility.
 */
export function registerReportRoutes(app: FastifyInstance) {
  const r = typed(app);
  const tags = ['reports'];
  r.get(
    '/api/v1/reports',
    {
      schema: {
        tags,
        summary: 'The reports the reader may open (those whose records they may read)',
        response: { 200: ReportCatalogue, ...errorResponses },
      },
    },
    async (request) => reportCatalogue(ctxOf(request)),
  );
  for (const report of REPORTS) {
    const path = `/api/v1/reports/${report.kind}`;
    r.get(
      path,
      {
        preValidation: requirePermission(REPORT_PERMISSION[report.kind]),
        schema: {
          tags,
          summary: `${report.title.en} (${report.title.zh}): ${report.description.en}`,
          querystring: report.query,
          response: { 200: ReportAnswer, ...errorResponses },
        },
      },
      async (request) => report.run(ctxOf(request), request.query),
    );
    r.get(
      `${path}/export.xlsx`,
      {
        preValidation: requirePermission(REPORT_PERMISSION[report.kind]),
        schema: {
          tags,
          summary: `${report.title.en} as .xlsx: exactly the figures the page shows for the same filters`,
          querystring: report.query,
          produces: [XLSX],
          response: { 200: z.unknown().describe('the file'), ...errorResponses },
        },
      },
      async (request, reply) => {
        const file = await reportXlsx(await report.run(ctxOf(request), request.query));
        return reply
          .header('content-type', XLSX)
          .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
          .header('cache-control', 'private, no-store')
          .send(file.buffer);
      },
    );
  }
}
