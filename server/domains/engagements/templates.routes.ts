import type { FastifyInstance } from 'fastify';

/** 业务模板: engagement templates per business line (engagements:configure). */
export function registerEngagementTemplateRoutes(app: FastifyInstance) {
  void app;
}
