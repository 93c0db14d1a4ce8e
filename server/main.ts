import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { STAFF_CATEGORIES, UserCreate } from '../common/schemas/staff';
import { buildApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { openDatabase, type Database } from './db/client';
import { migrateDatabase } from './db/migrate';
import { formatPlan, pendingAfter, pendingMigrations, pgliteDirExists } from './db/migration-plan';
import { getRoleIdByCode } from './domains/staff/roles.service';
import {
  BackupError,
  dataDirHolder,
  queryOf,
  restoreBackup,
  SERVE_LOCK_FILE,
  takeBackup,
  writeBackup,
} from './domains/operations/backup';
import { Jobs } from './jobs/engine';
import { startWorkers } from './jobs/workers';
import { backfillReminders } from './domains/reminders/reminders.service';
import { bootstrapDatabase } from './seed/bootstrap';
import { isEmpty, seedDemoFirm } from './seed/demo';
import { seedUser } from './seed/seeders';

const HELP = `gongdan — 工单 Gongdan, a sales-centred work-order platform

Usage:
  gongdan serve [--demo]       apply migrations and serve web + API (PORT, default 3000);
                               --demo loads the demo firm into an empty database and, its
                               passwords being public, listens on 127.0.0.1 unless HOST is set
  gongdan migrate              apply pending database migrations and exit
  gongdan migrate --dry-run    list the migrations that would run, and which of them rewrite,
                               backfill or index big tables (customers, contacts, …); applies nothing
  gongdan seed --demo          load the demo firm into an empty database
  gongdan user create --username NAME --name DISPLAY --password PASSWORD [--role admin]
                               create a user, e.g. the first administrator of an install
  gongdan backup [--out FILE]  write a backup (database and stored files, with a checked manifest) to FILE,
                               default a new file in BACKUP_DIR (default DATA_DIR/backups); a serving
                               embedded database is backed up by the server itself (BACKUP_CRON, or
                               POST /api/v1/operations/backups)
  gongdan restore FILE         check FILE and replace the database with it (stop the server first), then
                               apply the migrations a backup of an older version lacks
  gongdan --help               this text

Database: embedded PGlite in DATA_DIR (default ./data), or PostgreSQL when DATABASE_URL is set.
See README.md for every environment variable.
`;

class UsageError extends Error {}

async function openAndMigrate(config: Config): Promise<Database> {
  let database: Database;
  try {
    if (config.databaseUrl) {
      database = await openDatabase({ databaseUrl: config.databaseUrl });
    } else {
      mkdirSync(config.dataDir, { recursive: true });
      database = await openDatabase({ dataDir: config.dataDir });
    }
  } catch (error) {
    const where = config.databaseUrl
      ? `PostgreSQL at ${redact(config.databaseUrl)}`
      : `embedded database in ${config.dataDir}`;
    throw new ConfigError(`Cannot open the ${where}: ${(error as Error).message}`);
  }
  await migrateDatabase(database);
  await bootstrapDatabase(database.db);
  return database;
}

/**
 * Where the server listens: HOST when set; otherwise every address, except for the demo firm,
 * whose passwords are published in the README — it listens on this machine only unless HOST says otherwise.
 */
export function listenHost(config: Pick<Config, 'host'>, demo: boolean): string {
  return config.host ?? (demo ? '127.0.0.1' : '0.0.0.0');
}

/** The one line a demo server logs about where it can be reached and why. */
export function demoNotice(config: Pick<Config, 'host' | 'port'>): { level: 'info' | 'warn'; message: string } {
  const host = listenHost(config, true);
  const shown = host.includes(':') ? `[${host}]` : host;
  if (config.host === null)
    return {
      level: 'info',
      message: `Demo firm: listening on http://${shown}:${config.port} only (this computer); the demo passwords are public, so it is not reachable from the network — set HOST (e.g. HOST=0.0.0.0) to change that`,
    };
  return {
    level: 'warn',
    message: `Demo firm: listening on http://${shown}:${config.port} as HOST asks; the demo passwords are public (README) — anyone who can reach this address can sign in`,
  };
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/**
 * A calendar feed's address is its secret: masked in the log however the address is spelled
 * (percent-encoded letters reach the same route).
 */
function withoutFeedSecret(url: string): string {
  const decoded = url.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  const masked = decoded.replace(/(\/calendar\/feed\/)[^/?]+/gi, '$1***');
  return masked === decoded ? url : masked;
}

async function serve(config: Config, demo: boolean): Promise<void> {
  const database = await openAndMigrate(config);
  // Tells `gongdan backup` / `restore` that this process holds the embedded database (one process only).
  const lock = database.engine === 'pglite' ? path.join(config.dataDir, SERVE_LOCK_FILE) : null;
  if (lock) writeFileSync(lock, String(process.pid));
  const app = await buildApp({
    database,
    config,
    serveWeb: true,
    jobs: { supervise: true },
    logger: {
      level: config.logLevel,
      redact: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-csrf-token"]',
        'res.headers["set-cookie"]',
      ],
      serializers: {
        // The calendar feed's address is its secret: never in the logs.
        req: (request: { method: string; url: string; hostname?: string; ip?: string }) => ({
          method: request.method,
          url: withoutFeedSecret(request.url),
          hostname: request.hostname,
          remoteAddress: request.ip,
        }),
      },
    },
  });
  if (demo && (await isEmpty(database.db))) await seedDemoFirm(database.db, app.jobs);
  await app.listen({ port: config.port, host: listenHost(config, demo) });
  await startWorkers(app, config);
  // In short steps while the app already serves: an upgraded install may have 100,000 customers to schedule.
  void backfillReminders({ db: database.db, jobs: app.jobs }).then(
    (backfilled) => {
      if (backfilled) app.log.info({ backfilled }, 'reminders scheduled for work planned before reminders existed');
    },
    (error: unknown) =>
      app.log.error({ err: error }, 'scheduling reminders for earlier work failed; it is retried at the next start'),
  );
  app.log.info({ engine: database.engine, demo }, `Gongdan is serving on http://localhost:${config.port}`);
  if (demo) {
    const notice = demoNotice(config);
    app.log[notice.level](notice.message);
  }

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    const timer = setTimeout(() => {
      app.log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    await app.close();
    await database.close();
    if (lock) rmSync(lock, { force: true });
    app.log.info('stopped');
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

async function createUserCommand(config: Config, args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      username: { type: 'string' },
      name: { type: 'string' },
      password: { type: 'string' },
      role: { type: 'string', default: 'admin' },
      category: { type: 'string', default: 'management' },
    },
  });
  const parsed = UserCreate.omit({ roleId: true }).safeParse({
    username: values.username,
    displayName: values.name ?? values.username,
    password: values.password,
    staffCategory: values.category,
  });
  if (!parsed.success) {
    throw new UsageError(
      parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n') +
        `\n(categories: ${STAFF_CATEGORIES.join(', ')})`,
    );
  }
  const database = await openAndMigrate(config);
  try {
    if (!(await getRoleIdByCode(database.db, values.role!))) throw new UsageError(`unknown role: ${values.role}`);
    const user = await seedUser(database.db, { ...parsed.data, roleCode: values.role! });
    console.log(`created user ${user.username} (${values.role})`);
  } finally {
    await database.close();
  }
}

/** What `gongdan migrate` would apply, without applying it (nor creating an embedded database that does not exist). */
async function dryRun(config: Config): Promise<string> {
  if (!config.databaseUrl && !pgliteDirExists(config.dataDir))
    return formatPlan(pendingAfter(null), `a new embedded database in ${config.dataDir}`);
  let database: Database;
  try {
    database = config.databaseUrl
      ? await openDatabase({ databaseUrl: config.databaseUrl, poolSize: 1 })
      : await openDatabase({ dataDir: config.dataDir });
  } catch (error) {
    const where = config.databaseUrl
      ? `PostgreSQL at ${redact(config.databaseUrl)}`
      : `embedded database in ${config.dataDir}`;
    throw new ConfigError(`Cannot open the ${where}: ${(error as Error).message}`);
  }
  try {
    const where = config.databaseUrl
      ? `PostgreSQL at ${redact(config.databaseUrl)}`
      : `the embedded database in ${config.dataDir}`;
    return formatPlan(await pendingMigrations(database), where);
  } finally {
    await database.close();
  }
}

/** The embedded database may be opened by one process only: refuse when `gongdan serve` holds it. */
function assertDataDirFree(config: Config, action: string, hint: string): void {
  if (config.databaseUrl) return;
  const holder = dataDirHolder(config.dataDir);
  if (holder)
    throw new BackupError(
      'BACKUP_DATA_DIR_IN_USE',
      `a Gongdan server (process ${holder}) holds the embedded database in ${config.dataDir}; ${action} ${hint}`,
    );
}

async function backupCommand(config: Config, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } } });
  assertDataDirFree(
    config,
    'it cannot be opened a second time —',
    'use the scheduled backups (BACKUP_CRON, into BACKUP_DIR) or POST /api/v1/operations/backups as an administrator',
  );
  if (!config.databaseUrl && !existsSync(path.join(config.dataDir, 'PG_VERSION')))
    throw new UsageError(`there is no embedded database in ${config.dataDir} (set DATA_DIR or DATABASE_URL)`);
  const database = config.databaseUrl
    ? await openDatabase({ databaseUrl: config.databaseUrl })
    : await openDatabase({ dataDir: config.dataDir });
  try {
    const [recorded] = await queryOf(database.db)(`SELECT to_regclass('public.backup_runs') IS NOT NULL AS present`);
    let file: string;
    let manifest;
    if (recorded.present) {
      const run = await takeBackup(database, config, { trigger: 'command', out: values.out });
      if (run.status !== 'done') throw new BackupError('BACKUP_FAILED', run.error ?? 'the backup failed');
      file = run.file!;
      manifest = run.manifest as Awaited<ReturnType<typeof writeBackup>>;
    } else {
      // A database older than the backup_runs table: backed up as it is, without a record.
      file = path.resolve(values.out ?? path.join(config.backupDir, `gongdan-backup-${Date.now()}.gdbak`));
      manifest = await writeBackup(database, file, { backupDir: config.backupDir, dataDir: config.dataDir });
    }
    const rows = Object.values(manifest.tables).reduce((n, c) => n + c, 0);
    console.log(
      `backup written to ${file} (${manifest.engine}, schema ${manifest.schema.lastMigration}, ` +
        `${Object.keys(manifest.tables).length} tables, ${rows} rows)`,
    );
  } finally {
    await database.close();
  }
}

async function restoreCommand(config: Config, args: string[]): Promise<void> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw new UsageError('usage: gongdan restore FILE');
  assertDataDirFree(config, 'stop the server before restoring', '');
  const file = path.resolve(positionals[0]);
  const result = config.databaseUrl
    ? await restoreBackup(file, { databaseUrl: config.databaseUrl })
    : await restoreBackup(file, { dataDir: config.dataDir, backupDir: config.backupDir });
  console.log(
    `restored ${file} (${result.manifest.engine}, made ${result.manifest.createdAt} by Gongdan ` +
      `${result.manifest.appVersion}, schema ${result.manifest.schema.lastMigration}); migrations applied`,
  );
  if (result.previousDataDir) console.log(`the previous database was kept in ${result.previousDataDir}`);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help' || rest.includes('--help')) {
    console.log(HELP);
    return command ? 0 : 1;
  }
  try {
    const config = loadConfig();
    switch (command) {
      case 'serve': {
        const { values } = parseArgs({ args: rest, options: { demo: { type: 'boolean', default: false } } });
        await serve(config, values.demo!);
        return 0;
      }
      case 'migrate': {
        const { values } = parseArgs({ args: rest, options: { 'dry-run': { type: 'boolean', default: false } } });
        if (values['dry-run']) {
          console.log(await dryRun(config));
          return 0;
        }
        const database = await openAndMigrate(config);
        await database.close();
        console.log(`migrations applied (${database.engine})`);
        return 0;
      }
      case 'seed': {
        const { values } = parseArgs({ args: rest, options: { demo: { type: 'boolean', default: false } } });
        if (!values.demo) throw new UsageError('seed needs --demo');
        const database = await openAndMigrate(config);
        try {
          if (!(await isEmpty(database.db))) {
            console.log('the database already has users; the demo firm was not loaded');
            return 0;
          }
          const jobs = await Jobs.open(database);
          try {
            await seedDemoFirm(database.db, jobs);
          } finally {
            await jobs.stop();
          }
          console.log('demo firm loaded; sign in as admin / demo-2026');
        } finally {
          await database.close();
        }
        return 0;
      }
      case 'backup':
        await backupCommand(config, rest);
        return 0;
      case 'restore':
        await restoreCommand(config, rest);
        return 0;
      case 'user': {
        if (rest[0] !== 'create')
          throw new UsageError('usage: gongdan user create --username NAME --password PASSWORD');
        await createUserCommand(config, rest.slice(1));
        return 0;
      }
      default:
        throw new UsageError(`unknown command: ${command}`);
    }
  } catch (error) {
    if (error instanceof BackupError) {
      console.error(`${error.code}: ${error.message}`);
      return 1;
    }
    if (error instanceof ConfigError || error instanceof UsageError) {
      console.error(error.message);
      if (error instanceof UsageError) console.error('\nRun gongdan --help for usage.');
      return 2;
    }
    if ((error as { code?: string }).code === 'EADDRINUSE') {
      console.error(`Port ${(error as { port?: number }).port ?? ''} is already in use; set PORT to another port.`);
      return 2;
    }
    if ((error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      console.error(`${(error as Error).message}\n\nRun gongdan --help for usage.`);
      return 2;
    }
    throw error;
  }
}
