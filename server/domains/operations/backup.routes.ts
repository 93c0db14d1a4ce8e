import type { FastifyInstance } from 'fastify';
import { BackupRun, BackupRunList } from '../../../common/schemas/backups';
import { errorResponses, typed } from '../../lib/routes';
import { requirePermission } from '../../policy';
import { listBackupRuns, type BackupManifest } from './backup';
import { backupRuns } from './operations.tables';

/** Backups are the whole firm's data: administrators only (staff:manage, which only they hold). */
const requireAdministrator = requirePermission('staff:manage');

function present(run: typeof backupRuns.$inferSelect): BackupRun {
  const manifest = run.manifest as BackupManifest | null;
  return {
    id: run.id,
    trigger: run.trigger,
    status: run.status,
    file: run.file,
    sizeBytes: run.sizeBytes,
    schemaVersion: manifest?.schema.lastMigration ?? null,
    appVersion: manifest?.appVersion ?? null,
    engine: manifest?.engine ?? null,
    rows: manifest ? Object.values(manifest.tables).reduce((n, c) => n + c, 0) : null,
    error: run.error,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}

export function registerBackupRoutes(app: FastifyInstance) {
  const r = typed(app);
  r.get(
    '/api/v1/operations/backups',
    {
      preValidation: requireAdministrator,
      schema: {
        tags: ['operations'],
        summary: 'The latest backups (scheduled, asked for, by command), newest first',
        response: { 200: BackupRunList, ...errorResponses },
      },
    },
    async () => ({ items: (await listBackupRuns(app.db)).map(present) }),
  );
  r.post(
    '/api/v1/operations/backups',
    {
      preValidation: requireAdministrator,
      schema: {
        tags: ['operations'],
        summary: 'Take a backup now: recorded as running at once, written by the job engine',
        response: { 202: BackupRun, ...errorResponses },
      },
    },
    async (_request, reply) => {
      const run = await app.db.transaction(async (tx) => {
        const [row] = await tx.insert(backupRuns).values({ trigger: 'api', status: 'running' }).returning();
        await app.jobs.send(tx, 'operations.backup', { runId: row.id });
        return row;
      });
      reply.status(202);
      return present(run);
    },
  );
}
