import path from 'node:path';
import { z } from 'zod';

/**
 * Every environment variable Gongdan reads, validated once at start-up. A bad value is
 * reported as one clear line per problem instead of a stack trace later.
 */
const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z
    .string()
    .optional()
    .transform((v) => (v?.trim() ? v.trim() : undefined)),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine((v) => v === undefined || (/^postgres(ql)?:\/\/[^\s]+$/.test(v) && URL.canParse(v)), {
      message: 'must be a URL like postgres://user:password@host:5432/database',
    }),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 365)
    .default(24 * 7),
  COOKIE_SECURE: z.enum(['true', 'false', 'auto']).default('auto'),
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  LOGIN_WINDOW_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  LOGIN_MAX_DELAY_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  LOGIN_IP_MAX_FAILURES: z.coerce.number().int().min(1).max(100_000).default(100),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  RULES_CRON: z
    .string()
    .trim()
    .default('7 * * * *')
    .refine((v) => v === 'off' || /^(\S+\s+){4}\S+$/.test(v), {
      message: "must be a cron expression of five fields (e.g. '7 * * * *') or 'off'",
    }),
  TERM_REMINDERS_CRON: z
    .string()
    .trim()
    .default('0 8 * * *')
    .refine((v) => v === 'off' || /^(\S+\s+){4}\S+$/.test(v), {
      message: "must be a cron expression of five fields (e.g. '0 8 * * *') or 'off'",
    }),
  ENGAGEMENT_CYCLES_CRON: z
    .string()
    .trim()
    .default('20 0 * * *')
    .refine((v) => v === 'off' || /^(\S+\s+){4}\S+$/.test(v), {
      message: "must be a cron expression of five fields (e.g. '20 0 * * *') or 'off'",
    }),
  REPORT_SUBSCRIPTIONS_CRON: z
    .string()
    .trim()
    .default('*/15 * * * *')
    .refine((v) => v === 'off' || /^(\S+\s+){4}\S+$/.test(v), {
      message: "must be a cron expression of five fields (e.g. '*/15 * * * *') or 'off'",
    }),
  REPORT_SUMMARIES_CRON: z
    .string()
    .trim()
    .default('*/5 * * * *')
    .refine((v) => v === 'off' || /^(\S+\s+){4}\S+$/.test(v), {
      message: "must be a cron expression of five fields (e.g. '*/5 * * * *') or 'off'",
    }),
  CHAT_DIGEST_CRON: z
    .string()
    .trim()
    .default('*/15 * * * *')
    .refine((v) => v === 'off' || /^(\S+\s+){4}\S+$/.test(v), {
      message: "must be a cron expression of five fields (e.g. '*/15 * * * *') or 'off'",
    }),
  RENEWALS_CRON: z
    .string()
    .trim()
    .default('40 6 * * *')
    .refine((v) => v === 'off' || /^(\S+\s+){4}\S+$/.test(v), {
      message: "must be a cron expression of five fields (e.g. '40 6 * * *') or 'off'",
    }),
  CROSS_SELL_CRON: z
    .string()
    .trim()
    .default('0 3 * * 1')
    .refine((v) => v === 'off' || /^(\S+\s+){4}\S+$/.test(v), {
      message: "must be a cron expression of five fields (e.g. '0 3 * * 1') or 'off'",
    }),
  SMTP_URL: z
    .string()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine((v) => v === undefined || (/^smtps?:\/\//.test(v) && URL.canParse(v)), {
      message: 'must be a URL like smtp://user:password@mail.example.com:587',
    }),
  MAIL_FROM: z.string().trim().min(3).default('Gongdan 工单 <noreply@localhost>'),
  PUBLIC_URL: z
    .string()
    .optional()
    .transform((v) => (v === '' ? undefined : v?.replace(/\/+$/, '')))
    .refine((v) => v === undefined || (/^https?:\/\//.test(v) && URL.canParse(v)), {
      message: 'must be a URL like https://crm.example.com',
    }),
  JOB_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(2),
  METRICS_TOKEN: z
    .string()
    .optional()
    .transform((v) => (v?.trim() ? v.trim() : undefined))
    .refine((v) => v === undefined || /^[\x21-\x7e]{16,256}$/.test(v), {
      message: 'must be 16 to 256 printable characters without spaces (e.g. the output of `openssl rand -hex 32`)',
    }),
  BACKUP_CRON: z
    .string()
    .trim()
    .default('30 2 * * *')
    .refine((v) => v === 'off' || /^(\S+\s+){4}\S+$/.test(v), {
      message: "must be a cron expression of five fields (e.g. '30 2 * * *') or 'off'",
    }),
  BACKUP_KEEP: z.coerce.number().int().min(1).max(1000).default(7),
  BACKUP_DIR: z
    .string()
    .optional()
    .transform((v) => (v?.trim() ? v.trim() : undefined)),
});

export type Config = {
  port: number;
  /** The address to listen on as HOST gives it; null when unset (see listenHost in main.ts: all addresses, or 127.0.0.1 for --demo). */
  host: string | null;
  dataDir: string;
  databaseUrl: string | undefined;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  sessionTtlHours: number;
  cookieSecure: 'true' | 'false' | 'auto';
  trustProxy: boolean;
  /** Failed sign-ins on one account (known or not) before each further try must wait 1 s, 2 s, 4 s … */
  loginMaxFailures: number;
  /** How long failures are remembered (after the last one, or after the end of a wait); the per-address window. */
  loginWindowMinutes: number;
  /** The longest wait one account is made to take between tries. */
  loginMaxDelayMinutes: number;
  /** Failed sign-ins from one address within the window before it must wait the window out (an office shares one). */
  loginIpMaxFailures: number;
  shutdownTimeoutMs: number;
  /** When the scheduled rules (back to the pool, inactive customers) run, as cron in the firm's zone; null: never. */
  rulesCron: string | null;
  /** When the daily payment-term reminders run (terms due today, overdue ones not yet reminded), as cron in the firm's zone; null: never. */
  termRemindersCron: string | null;
  /** When monthly engagements get the month's phases and work orders (daily cron in the firm's zone); null: never. */
  engagementCyclesCron: string | null;
  /** How often the scheduled reports 定期报表 due by then are sent (cron in the firm's zone); null: never. */
  reportSubscriptionsCron: string | null;
  reportSummariesCron: string | null;
  /** How often the e-mail digest of unread chat mentions (for people who were away) goes out (cron); null: never. */
  chatDigestCron: string | null;
  /** When the renewal job 续约 raises the seasons due (daily cron in the firm's zone); null: never. */
  renewalsCron: string | null;
  /** When the cross-sell suggestions 交叉销售 are computed for the whole firm (cron, weekly); null: never. */
  crossSellCron: string | null;
  /** Outgoing mail; without it messages are held in the outbox. */
  smtpUrl: string | null;
  mailFrom: string;
  /** The address users reach the app at (for calendar feed and e-mail links); default from the request. */
  publicUrl: string | null;
  /** How often idle workers look for due jobs. */
  jobPollSeconds: number;
  /** The bearer token /metrics asks for (Prometheus' scrape); null: /metrics is off (404). */
  metricsToken: string | null;
  /** When the nightly backup runs (cron in the firm's zone); null: never. */
  backupCron: string | null;
  /** How many of the newest backup files are kept in backupDir. */
  backupKeep: number;
  /** Where backups are written: BACKUP_DIR, default <DATA_DIR>/backups (left out of the backups themselves). */
  backupDir: string;
};

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST ?? null,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    logLevel: e.LOG_LEVEL,
    sessionTtlHours: e.SESSION_TTL_HOURS,
    cookieSecure: e.COOKIE_SECURE,
    trustProxy: e.TRUST_PROXY === 'true',
    loginMaxFailures: e.LOGIN_MAX_FAILURES,
    loginWindowMinutes: e.LOGIN_WINDOW_MINUTES,
    loginMaxDelayMinutes: e.LOGIN_MAX_DELAY_MINUTES,
    loginIpMaxFailures: e.LOGIN_IP_MAX_FAILURES,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    rulesCron: e.RULES_CRON === 'off' ? null : e.RULES_CRON,
    termRemindersCron: e.TERM_REMINDERS_CRON === 'off' ? null : e.TERM_REMINDERS_CRON,
    engagementCyclesCron: e.ENGAGEMENT_CYCLES_CRON === 'off' ? null : e.ENGAGEMENT_CYCLES_CRON,
    reportSubscriptionsCron: e.REPORT_SUBSCRIPTIONS_CRON === 'off' ? null : e.REPORT_SUBSCRIPTIONS_CRON,
    reportSummariesCron: e.REPORT_SUMMARIES_CRON === 'off' ? null : e.REPORT_SUMMARIES_CRON,
    chatDigestCron: e.CHAT_DIGEST_CRON === 'off' ? null : e.CHAT_DIGEST_CRON,
    renewalsCron: e.RENEWALS_CRON === 'off' ? null : e.RENEWALS_CRON,
    crossSellCron: e.CROSS_SELL_CRON === 'off' ? null : e.CROSS_SELL_CRON,
    smtpUrl: e.SMTP_URL ?? null,
    mailFrom: e.MAIL_FROM,
    publicUrl: e.PUBLIC_URL ?? null,
    jobPollSeconds: e.JOB_POLL_SECONDS,
    metricsToken: e.METRICS_TOKEN ?? null,
    backupCron: e.BACKUP_CRON === 'off' ? null : e.BACKUP_CRON,
    backupKeep: e.BACKUP_KEEP,
    backupDir: path.resolve(e.BACKUP_DIR ?? path.join(e.DATA_DIR, 'backups')),
  };
}
