import type { FastifyInstance } from 'fastify';

/** 业务项目 and 工单. */
export function registerEngagementRoutes(app: FastifyInstance) {
  void app;
}
