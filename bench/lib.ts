import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../server/db/client';

/** Median wall time of `fn` in milliseconds over `runs` runs, after `warmup` unmeasured runs. */
export async function median(fn: () => Promise<unknown>, runs = 30, warmup = 5): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** Median of a list of times. */
export const medianOf = (times: number[]) => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];

/** This process's CPU time (user + system) in milliseconds: what a request costs on PGlite, whatever else runs. */
export const cpuClock = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/**
 * Median times of several paths, run in turn (the order rotates every run) after a warm-up, so load from
 * elsewhere hits each alike. `clock` (ms): wall time by default, or cpuClock.
 */
export async function interleaved(
  paths: (() => Promise<unknown>)[],
  runs: number,
  warmup: number,
  clock: () => number = () => performance.now(),
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) for (const p of paths) await p();
  const times: number[][] = paths.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (let j = 0; j < paths.length; j++) {
      const k = (i + j) % paths.length;
      const start = clock();
      await paths[k]();
      times[k].push(clock() - start);
    }
  }
  return times.map(medianOf);
}

/** Prints one benchmark line: the measured path as a ratio to its baseline run in the same process. */
export function report(name: string, measured: number, baseline: number, limit: number): boolean {
  const ratio = measured / baseline;
  const ok = ratio <= limit;
  console.log(
    `${ok ? 'ok  ' : 'SLOW'} ${name}: ${measured.toFixed(2)} ms vs raw SQL ${baseline.toFixed(2)} ms = ${ratio.toFixed(2)}× (limit ${limit}×)`,
  );
  return ok;
}

export function progress(label: string, done: number, total: number) {
  process.stdout.write(`\r${label}: ${done}/${total} (${Math.round((done / total) * 100)}%)`);
  if (done === total) process.stdout.write('\n');
}

/** One call the app made on the database driver: (text or query config, params, options). */
export type Call = unknown[];
type Result = { rows: Record<string, unknown>[] };

/**
 * The database driver, wrapped once: `raw` runs plain SQL (text + params, unnamed — what "raw SQL"
 * means for the baselines), `send` replays a captured call exactly as the app made it, and
 * `capture(fn)` records every call `fn` makes. `restore()` unwraps the driver.
 */
export function wrapDriver(database: { client: unknown }) {
  const client = database.client as { query: (...args: unknown[]) => Promise<Result> };
  const driverQuery = client.query;
  const send = (...args: unknown[]) => driverQuery.apply(client, args);
  let captured: Call[] | null = null;
  client.query = (...args: unknown[]) => {
    captured?.push(args);
    return send(...args);
  };
  const textOf = (call: Call) => (typeof call[0] === 'string' ? call[0] : (call[0] as { text: string }).text);
  const paramsOf = (call: Call) => (call[1] ?? []) as unknown[];
  return {
    raw: (text: string, params: unknown[] = []) => send(text, params),
    send,
    textOf,
    paramsOf,
    /** Replays a captured call as plain raw SQL. */
    replayRaw: (call: Call) => send(textOf(call), paramsOf(call)),
    async capture(fn: () => Promise<unknown>): Promise<Call[]> {
      captured = [];
      try {
        await fn();
        return captured;
      } finally {
        captured = null;
      }
    },
    restore: () => {
      client.query = driverQuery;
    },
  };
}

/** The session's sliding-expiry update runs at most once a minute per session: not part of a typical request. */
export const isSessionExpiryUpdate = (text: string) => /^update "sessions"/i.test(text);

/**
 * The database a benchmark runs on: PostgreSQL at `databaseUrl` (default DATABASE_URL), else PGlite in a new temporary directory
 * (`dir`, which the benchmark removes when it ends).
 */
export async function benchDatabase(databaseUrl = process.env.DATABASE_URL) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gongdan-bench-'));
  const database = databaseUrl ? await openDatabase({ databaseUrl }) : await openDatabase({ dataDir: dir });
  return { database, dir };
}

/**
 * The node flags the benchmarks start `gongdan serve` with: SERVER_NODE_ARGS when given (space-separated), else
 * the heap cap that package.json's start and the systemd unit (docs/deploy/gongdan@.service) run it with.
 */
export const SERVER_NODE_FLAGS = process.env.SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [
  '--max-old-space-size=1024',
];
