import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  type RouteOptions,
} from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MAX_FILE_BYTES } from '../common/schemas/files';
import type { Config } from './config';
import type { Database, Db, Engine } from './db/client';
import { Jobs, type JobsOptions } from './jobs/engine';
import { runWithRequestId } from './lib/request-context';
import { Realtime } from './realtime';
import { registerKnowledgeRoutes } from './domains/knowledge/knowledge.routes';
import { registerChatRoutes } from './domains/chat/chat.routes';
import { registerChatCatchupRoutes } from './domains/chat/catchup.routes';
import { registerChatSearchRoutes } from './domains/chat/search.routes';
import { registerLiveEvents } from './plugins/live';
import { registerNotificationRoutes } from './domains/notifications/notifications.routes';
import { registerReminderRoutes } from './domains/reminders/reminders.routes';
import { registerTodayRoutes } from './domains/today/today.routes';
import { registerSuggestionRoutes } from './domains/suggestions/suggestions.routes';
import { registerCalendarRoutes } from './domains/calendar/calendar.routes';
import { registerStageTimeRoutes } from './domains/opportunities/stage-times.routes';
import { registerActivityRoutes } from './domains/activities/activities.routes';
import { registerAuditRoutes } from './domains/audit/audit.routes';
import { registerAuthRoutes } from './domains/auth/auth.routes';
import { registerCampaignRoutes } from './domains/campaigns/campaigns.routes';
import { registerLeadRoutes } from './domains/leads/leads.routes';
import { registerContractTemplateRoutes } from './domains/contracts/templates.routes';
import { registerCustomerRoutes } from './domains/customers/customers.routes';
import { registerPrivacyRoutes } from './domains/customers/privacy.routes';
import { registerCustomerTransferRoutes } from './domains/customers/transfer.routes';
import { registerOpportunityExtraRoutes } from './domains/opportunities/opportunity-extras.routes';
import { registerOpportunityRoutes } from './domains/opportunities/opportunities.routes';
import { registerStaffRoutes } from './domains/staff/staff.routes';
import { registerWorkflowRoutes } from './domains/workflows/workflows.routes';
import { registerReceivableRoutes } from './domains/receivables/receivables.routes';
import { registerContractRoutes } from './domains/contracts/contracts.routes';
import { registerRenewalDocumentRoutes } from './domains/renewals/documents.routes';
import { registerRenewalRoutes } from './domains/renewals/renewals.routes';
import { registerEngagementRoutes } from './domains/engagements/engagements.routes';
import { registerEngagementTemplateRoutes } from './domains/engagements/templates.routes';
import { registerTimesheetRoutes } from './domains/engagements/timesheets.routes';
import { registerWorkloadRoutes } from './domains/engagements/workload.routes';
import { registerPeopleRoutes } from './domains/people/people.routes';
import { registerKnowledgeSearchRoutes } from './domains/knowledge/search.routes';
import { registerNumberingRoutes } from './domains/numbering/numbering.routes';
import { registerCommissionRoutes } from './domains/commissions/commissions.routes';
import { registerReportRoutes } from './domains/reports/reports.routes';
import { registerDashboardRoutes } from './domains/reports/dashboard.routes';
import { registerRelatedKnowledgeRoutes } from './domains/knowledge/related.routes';
import { registerSalesCycleTargetRoutes } from './domains/reports/sales-cycle-targets.routes';
import { registerKnowledgeCaptureRoutes } from './domains/knowledge/capture.routes';
import { registerPlaybookRoutes } from './domains/knowledge/playbooks.routes';
import { registerCustomerStoryRoutes } from './domains/customer-story/customer-story.routes';
import { registerCrossSellRoutes } from './domains/cross-sell/cross-sell.routes';
import { registerBackupRoutes } from './domains/operations/backup.routes';
import { typed } from './lib/routes';
import { VERSION } from './version';
import { responseSerializer } from './lib/serialize';
import { publicScope, registerAuth } from './plugins/auth';
import { answerFrameworkError, registerErrorHandling } from './plugins/errors';
import { registerProxyWarning } from './plugins/proxy-warning';
import { registerStrictQueryStrings, validatorCompiler } from './plugins/query-strings';
import { registerTokenScope } from './plugins/token-scope';
import { registerSecurityHeaders } from './plugins/security';
import { registerGracefulShutdown } from './plugins/shutdown';
import { registerMetrics } from './plugins/metrics';
import { registerReadiness, type ReadinessOptions } from './plugins/readiness';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    engine: Engine;
    /** The open database (its client too), for work on the whole database such as backups. */
    database: Database;
    /** The durable job queue (sending; workers run where startWorkers was called). */
    jobs: Jobs;
    /** Live events to the browsers connected to this instance. */
    realtime: Realtime;
    /** Every route as registered (method, url, config, schema), for the platform tests. */
    routeTable: readonly RouteOptions[];
  }
}

export { VERSION };
const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/web');

export type AppOptions = {
  database: Database;
  config: Config;
  /** Pino options, or false to stay quiet (tests). */
  logger?: FastifyServerOptions['logger'];
  /** Serve the built web app from dist/web when it exists. */
  serveWeb?: boolean;
  /** Job engine settings: maintenance and cron schedules run in serving instances (tests need not). */
  jobs?: JobsOptions;
  /** How often open live channels re-check their session (default 30 s; tests shorten it). */
  liveCheckMs?: number;
  /**
   * Check every response against its Zod schema (a mismatch is a 500) and the compiled serializer's JSON
   * against Zod's (tests); otherwise responses are only written by the compiled serializer.
   */
  checkResponses?: boolean;
  /** What /api/ready compares the database with (the tests point it elsewhere). */
  readiness?: ReadinessOptions;
};

/** One log line per request, when it completes (with its address), instead of Fastify's two. */
class OneLinePerRequest extends LogController {
  override incomingRequest() {}
  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    if (error)
      reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

/** Builds the HTTP application (without listening), as `main.ts` and the tests use it. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, database } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{8,64}$/.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
    frameworkErrors: answerFrameworkError,
    logController: new OneLinePerRequest(),
  });
  // Everything the request leads to runs as part of it: jobs it sends carry its id into their log lines.
  app.addHook('onRequest', (request, _reply, done) => runWithRequestId(request.id, done));
  const routeTable: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    routeTable.push(route);
  });
  app.decorate('routeTable', routeTable);
  registerStrictQueryStrings(app);
  app.decorate('db', database.db);
  app.decorate('engine', database.engine);
  app.decorate('database', database);
  const jobs = await Jobs.open(database, options.jobs, app.log);
  const realtime = await Realtime.open(database);
  app.decorate('jobs', jobs);
  app.decorate('realtime', realtime);
  // Stop working jobs and listening before the database closes (the caller closes it after app.close()).
  app.addHook('onClose', async () => {
    await jobs.stop();
    await realtime.close();
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(responseSerializer({ check: options.checkResponses ?? false }));

  await app.register(fastifyCookie);
  // Oversized files are reported by the services (FILE_TOO_LARGE), not thrown mid-stream. Uploads are read one
  // file at a time to disk (lib/uploads.ts receiveOneFile); these defaults bound any route that reads otherwise.
  await app.register(fastifyMultipart, {
    throwFileSizeLimit: false,
    limits: { fileSize: MAX_FILE_BYTES, files: 1, fields: 10, fieldSize: 64 * 1024, parts: 12 },
  });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Gongdan 工单 API',
        version: VERSION,
        description:
          'REST API of Gongdan. Browser clients use the session cookie and send `x-csrf-token`; integrations use `Authorization: Bearer <API token>`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'gd_session' },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await publicScope(app, async (docs) => {
    await docs.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  });

  registerErrorHandling(app);
  registerAuth(app, { sessionTtlHours: config.sessionTtlHours });
  registerTokenScope(app);
  registerProxyWarning(app, { trustProxy: config.trustProxy });
  registerSecurityHeaders(app);
  registerGracefulShutdown(app);

  const r = typed(app);
  r.get(
    '/api/health',
    {
      config: { public: true },
      schema: {
        tags: ['system'],
        response: {
          200: z.object({
            status: z.literal('ok'),
            engine: z.enum(['pglite', 'postgres']),
            version: z.string(),
            time: z.string(),
          }),
        },
      },
    },
    async () => {
      await app.db.execute('select 1');
      return { status: 'ok' as const, engine: app.engine, version: VERSION, time: new Date().toISOString() };
    },
  );
  registerReadiness(app, options.readiness);
  registerMetrics(app, { token: config.metricsToken, database, jobs, realtime, version: VERSION });
  r.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  registerAuthRoutes(app, config);
  registerStaffRoutes(app);
  registerAuditRoutes(app);
  registerCustomerTransferRoutes(app);
  registerCustomerRoutes(app);
  registerPrivacyRoutes(app);
  registerCampaignRoutes(app);
  registerLeadRoutes(app);
  registerActivityRoutes(app);
  registerOpportunityRoutes(app);
  registerOpportunityExtraRoutes(app);
  registerNotificationRoutes(app);
  registerReminderRoutes(app);
  registerTodayRoutes(app);
  registerSuggestionRoutes(app);
  registerCalendarRoutes(app, config);
  registerStageTimeRoutes(app);
  registerWorkflowRoutes(app);
  registerReceivableRoutes(app);
  registerNumberingRoutes(app);
  registerContractRoutes(app);
  registerRenewalDocumentRoutes(app);
  registerRenewalRoutes(app);
  registerContractTemplateRoutes(app);
  registerEngagementRoutes(app);
  registerTimesheetRoutes(app);
  registerWorkloadRoutes(app);
  registerEngagementTemplateRoutes(app);
  registerPeopleRoutes(app);
  registerCommissionRoutes(app);
  registerReportRoutes(app);
  registerDashboardRoutes(app);
  registerRelatedKnowledgeRoutes(app);
  registerSalesCycleTargetRoutes(app);
  registerKnowledgeCaptureRoutes(app);
  registerPlaybookRoutes(app);
  registerCustomerStoryRoutes(app);
  registerCrossSellRoutes(app);
  registerBackupRoutes(app);
  registerKnowledgeRoutes(app);
  registerKnowledgeSearchRoutes(app);
  registerChatRoutes(app);
  registerChatCatchupRoutes(app);
  registerChatSearchRoutes(app);
  await registerLiveEvents(app, realtime, { publicUrl: config.publicUrl, checkMs: options.liveCheckMs });

  if (options.serveWeb && existsSync(path.join(WEB_DIR, 'index.html'))) {
    await publicScope(app, async (web) => {
      await web.register(fastifyStatic, {
        root: WEB_DIR,
        wildcard: false,
        index: false,
        // The build writes a .br and a .gz beside each script and style sheet (vite.config.ts); no CPU spent per request.
        preCompressed: true,
        // Files under assets/ carry a hash of their content in the name: a browser keeps them for a year and never
        // asks again; anything else (index.html, the icon) is checked each time.
        cacheControl: false,
        setHeaders: (res, filePath) => {
          res.setHeader(
            'cache-control',
            filePath.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
          );
          res.setHeader('vary', 'accept-encoding');
        },
      });
      // The single-page app answers every other GET outside /api with index.html.
      web.get('/*', { config: { public: true }, schema: { hide: true } }, (request, reply) => {
        const file = request.url.split('?')[0];
        // The path as the router decoded it: an API address however spelled is not a page.
        if (/^api(\/|$)/i.test((request.params as { '*': string })['*'])) return reply.callNotFound();
        if (file.startsWith('/assets/') || /\.\w+$/.test(file)) return reply.sendFile(file.slice(1));
        return reply.header('cache-control', 'no-cache').sendFile('index.html');
      });
    });
  }
  return app;
}
