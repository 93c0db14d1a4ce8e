/**
 * The kanban board in Chromium (issue 4): one business line with many open opportunities visible
 * to a department manager (default 2,000; the page asks for at most 2,000 cards per column), the
 * real server (`gongdan serve --demo`, PGlite in a temporary DATA_DIR, a free port in 3400–3499)
 * and the built web app in headless Chromium. Measures, per round:
 *   - the time from navigation start to every open column showing its cards, and the board
 *     request's own time and size;
 *   - how many card DOM nodes are mounted (the columns are virtual lists) against the cards loaded;
 *   - a scripted scroll of each column to its bottom (`step` px per animation frame): frame times
 *     by requestAnimationFrame (average, 95th percentile, max), frames where the visible part of
 *     the column had no card mounted yet, and long tasks (PerformanceObserver 'longtask').
 * "Smooth" = p95 frame time under 33 ms and no long task over 200 ms while scrolling.
 *
 *   npm run build:web && npx tsx bench/board-browser.ts [cards=2000] [step=200]
 *
 * Environment: BOARD_ROUNDS (default 2), CHROMIUM_PATH (default /usr/bin/chromium).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser, newContext } from '../e2e/support/browser';
import { login } from '../e2e/support/ui';
import { openDatabase } from '../server/db/client';
import { migrateDatabase } from '../server/db/migrate';
import { bootstrapDatabase } from '../server/seed/bootstrap';
import { Jobs } from '../server/jobs/engine';
import { DEMO_PASSWORD, seedDemoFirm } from '../server/seed/demo';

const CARDS = Number(process.argv[2] ?? 2_000);
const STEP = Number(process.argv[3] ?? 200);
const ROUNDS = Number(process.env.BOARD_ROUNDS ?? 2);
const USER = 'manager'; // 王建国, manager of 审计一部 (scope department)
const LINE_CODE = 'SJ'; // 审计
const ROOT = path.resolve(import.meta.dirname, '..');

if (!existsSync(path.join(ROOT, 'dist/web/index.html'))) {
  console.error('dist/web is missing: run `npm run build:web` first.');
  process.exit(2);
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
async function freePort(): Promise<number> {
  for (let port = 3400; port < 3500; port++) if (await portFree(port)) return port;
  throw new Error('no free port in 3400–3499');
}

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return {
    n: values.length,
    avg: values.reduce((a, b) => a + b, 0) / (values.length || 1),
    p50: at(0.5),
    p95: at(0.95),
    max: sorted[sorted.length - 1] ?? NaN,
  };
};
const ms = (v: number) => `${v.toFixed(1)} ms`;

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gongdan-board-'));
let child: ReturnType<typeof spawn> | null = null;
let browser: Awaited<ReturnType<typeof launchBrowser>> | null = null;

try {
  // ---------- data: the demo firm, plus CARDS open opportunities of 审计 in 审计一部 ----------
  const database = await openDatabase({ dataDir });
  const raw = (text: string, params: unknown[] = []) =>
    (
      database.client as unknown as { query: (t: string, p: unknown[]) => Promise<{ rows: Record<string, unknown>[] }> }
    ).query(text, params);
  let line: string;
  let openStages: number;
  try {
    await migrateDatabase(database);
    await bootstrapDatabase(database.db);
    const jobs = await Jobs.open(database);
    await seedDemoFirm(database.db, jobs);
    await jobs.stop();
    line = (await raw(`SELECT id FROM business_lines WHERE code = $1`, [LINE_CODE])).rows[0].id as string;
    // The line's pipeline: its own active stages if it has any, else the default one.
    const stages = (
      await raw(
        `SELECT id, probability FROM pipeline_stages WHERE active AND kind = 'open'
         AND business_line_id IS NOT DISTINCT FROM (SELECT CASE WHEN EXISTS (SELECT 1 FROM pipeline_stages WHERE business_line_id = $1 AND active) THEN $1::uuid END)
       ORDER BY position`,
        [line],
      )
    ).rows;
    openStages = stages.length;
    const team = (
      await raw(
        `SELECT u.id, u.department_id FROM users u JOIN departments d ON d.id = u.department_id
       WHERE d.path LIKE (SELECT path FROM departments WHERE id = (SELECT department_id FROM users WHERE username = $1)) || '%' AND u.active ORDER BY u.username`,
        [USER],
      )
    ).rows;
    const customerIds = (await raw(`SELECT id FROM customers ORDER BY name`)).rows.map((r) => r.id);
    // Early stages hold more (30/25/20/15/10% with the default pipeline), every stage has cards.
    const weights =
      openStages === 5 ? [30, 25, 20, 15, 10] : Array.from({ length: openStages }, () => 100 / openStages);
    let cumulative = 0;
    const stageOf = `CASE ${weights
      .slice(0, -1)
      .map((w, i) => `WHEN p < ${(cumulative += w)} THEN ${i}`)
      .join(' ')} ELSE ${openStages - 1} END`;
    await raw(
      `INSERT INTO opportunities (name, customer_id, business_line_id, stage_id, status, probability, expected_amount, expected_close_on, owner_id, department_id,
                                  stage_entered_at, search_text)
       SELECT '2026年度年报审计（压测）' || g, ($1::uuid[])[1 + g % cardinality($1::uuid[])], $2, ($3::uuid[])[1 + s.i], 'open', ($4::int[])[1 + s.i],
              round((5000 + (hashint4(g) & 2147483647) % 500000000 / 100.0)::numeric, 2), current_date + (hashint4(g + 1) & 2147483647) % 300 - 60,
              ($5::uuid[])[1 + g % cardinality($5::uuid[])], ($6::uuid[])[1 + g % cardinality($6::uuid[])],
              now() - ((hashint4(g + 2) & 2147483647) % 200000) * interval '1 minute', 'niandu nianbao shenji ' || g
       FROM generate_series(1, $7::int) g
       CROSS JOIN LATERAL (SELECT (hashint4(g + 3) & 2147483647) % 100 AS p) r
       CROSS JOIN LATERAL (SELECT ${stageOf} AS i) s`,
      [
        customerIds,
        line,
        stages.map((s) => s.id),
        stages.map((s) => s.probability),
        team.map((u) => u.id),
        team.map((u) => u.department_id),
        CARDS,
      ],
    );
    await raw('ANALYZE');
  } finally {
    await database.close();
  }

  // ---------- the real server ----------
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  let log = '';
  child = spawn(process.execPath, [path.join(ROOT, 'bin/gongdan.js'), 'serve', '--demo'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (log = (log + c).slice(-10_000)));
  child.stderr!.on('data', (c: Buffer) => (log = (log + c).slice(-10_000)));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited:\n${log}`);
    if (Date.now() > deadline) throw new Error(`the server did not start:\n${log}`);
    const ok = await fetch(`${baseURL}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 250));
  }

  browser = await launchBrowser();
  const context = await newContext(browser, baseURL);
  // tsx compiles the functions handed to page.evaluate with esbuild's keepNames, which calls __name.
  await context.addInitScript({ content: 'window.__name = (f) => f;' });
  await context.addInitScript(() => {
    const w = window as unknown as { __longtasks: { start: number; duration: number }[] };
    w.__longtasks = [];
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__longtasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask', buffered: true });
    } catch {
      /* no long-task timing */
    }
  });
  const page = await context.newPage();
  await login(page, USER, DEMO_PASSWORD);
  const version = browser.version();
  console.log(
    `Chromium ${version}; ${USER} (department scope) on line ${LINE_CODE}; ${CARDS} opportunities added over ${openStages} open stages; scroll step ${STEP} px/frame; viewport 1440×900`,
  );

  let allSmooth = true;
  for (let round = 1; round <= ROUNDS; round++) {
    const boardResponse = page.waitForResponse((r) => r.url().includes('/api/v1/opportunities/board'), {
      timeout: 120_000,
    });
    await page.goto(`/opportunities?businessLineId=${line}`);
    const rendered = (await (
      await page.waitForFunction(
        (columns) => {
          const lists = [...document.querySelectorAll('[data-testid="board-column-cards"]')];
          if (lists.length < columns || !lists.every((l) => l.querySelector('[data-testid="board-card"]'))) return null;
          return performance.now();
        },
        openStages,
        { polling: 'raf', timeout: 120_000 },
      )
    ).jsonValue()) as number;
    const response = await boardResponse;
    const board = (await response.json()) as {
      columns: { stage: { kind: string }; count: number; cards: unknown[] }[];
    };
    const loaded = board.columns.reduce((n, c) => n + c.cards.length, 0);
    const inData = board.columns.filter((c) => c.stage.kind === 'open').reduce((n, c) => n + c.count, 0);
    const page0 = await page.evaluate(() => {
      const entry = performance
        .getEntriesByType('resource')
        .filter((e) => e.name.includes('/api/v1/opportunities/board'))
        .pop() as PerformanceResourceTiming | undefined;
      return {
        mounted: document.querySelectorAll('[data-testid="board-card"]').length,
        domNodes: document.getElementsByTagName('*').length,
        request: entry
          ? {
              start: entry.startTime,
              duration: entry.duration,
              wait: entry.responseStart - entry.requestStart,
              bytes: entry.encodedBodySize || entry.transferSize,
              decoded: entry.decodedBodySize,
            }
          : null,
        heap: (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? null,
        longTasks: (window as unknown as { __longtasks: { start: number; duration: number }[] }).__longtasks.filter(
          (t) => t.start <= performance.now(),
        ),
      };
    });
    console.log(`\nround ${round}:`);
    console.log(`  navigation → all ${openStages} open columns show cards: ${ms(rendered)}`);
    if (page0.request) {
      console.log(
        `  board request: started at ${ms(page0.request.start)}, took ${ms(page0.request.duration)} (server wait ${ms(page0.request.wait)}), ${(page0.request.decoded / 1024).toFixed(0)} KiB JSON`,
      );
    }
    console.log(
      `  cards: ${inData} open in the line's columns, ${loaded} loaded (incl. won/lost), ${page0.mounted} card nodes mounted; ${page0.domNodes} DOM elements in the page${page0.heap ? `; JS heap ${(page0.heap / 1048576).toFixed(0)} MiB` : ''}`,
    );
    const initialLong = page0.longTasks.filter((t) => t.start <= rendered);
    console.log(
      `  long tasks up to the render: ${initialLong.length}${initialLong.length ? ` (longest ${ms(Math.max(...initialLong.map((t) => t.duration)))}, total ${ms(initialLong.reduce((a, t) => a + t.duration, 0))})` : ''}`,
    );

    const columns = await page.locator('[data-testid="board-column-cards"]').count();
    const allFrames: number[] = [];
    const allLong: number[] = [];
    for (let index = 0; index < columns; index++) {
      const result = await page.evaluate(
        async ({ index, step }) => {
          const el = document.querySelectorAll<HTMLElement>('[data-testid="board-column-cards"]')[index];
          el.scrollTop = 0;
          await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
          const frames: number[] = [];
          let maxMounted = 0;
          let blank = 0;
          let last: number | null = null;
          const t0 = performance.now();
          await new Promise<void>((resolve) => {
            const tick = (ts: number) => {
              if (last !== null) frames.push(ts - last);
              last = ts;
              // What this frame shows: are the column's visible rows all mounted?
              const rows = [...el.querySelectorAll<HTMLElement>('[data-testid="board-card"]')].map(
                (c) => c.parentElement!,
              );
              maxMounted = Math.max(maxMounted, rows.length);
              if (rows.length) {
                const top = Math.min(...rows.map((r) => r.offsetTop));
                const bottom = Math.max(...rows.map((r) => r.offsetTop + r.offsetHeight));
                const content = (el.firstElementChild as HTMLElement).offsetHeight;
                if (top > el.scrollTop || bottom < Math.min(content, el.scrollTop + el.clientHeight)) blank++;
              }
              const max = el.scrollHeight - el.clientHeight;
              if (el.scrollTop >= max - 1) return resolve();
              el.scrollTop = Math.min(max, el.scrollTop + step);
              requestAnimationFrame(tick);
            };
            requestAnimationFrame(tick);
          });
          const t1 = performance.now();
          await new Promise((r) => setTimeout(r, 100)); // let the last long-task entries arrive
          const longTasks = (window as unknown as { __longtasks: { start: number; duration: number }[] }).__longtasks
            .filter((t) => t.start + t.duration >= t0 && t.start <= t1)
            .map((t) => t.duration);
          const cards = el.querySelectorAll('[data-testid="board-card"]');
          return {
            frames,
            longTasks,
            maxMounted,
            blank,
            seconds: (t1 - t0) / 1000,
            scrolled: el.scrollTop,
            lastShown: cards[cards.length - 1]?.textContent?.slice(0, 30) ?? '',
          };
        },
        { index, step: STEP },
      );
      const s = stats(result.frames);
      allFrames.push(...result.frames);
      allLong.push(...result.longTasks);
      console.log(
        `  column ${index + 1}: ${result.scrolled} px in ${result.seconds.toFixed(1)} s, ${s.n} frames (${(s.n / result.seconds).toFixed(0)} fps): avg ${ms(s.avg)}, p95 ${ms(s.p95)}, max ${ms(s.max)}; ` +
          `frames with unmounted rows in view ${result.blank}; max cards mounted ${result.maxMounted}; long tasks ${result.longTasks.length}${result.longTasks.length ? ` (longest ${ms(Math.max(...result.longTasks))})` : ''}`,
      );
    }
    const s = stats(allFrames);
    const longest = allLong.length ? Math.max(...allLong) : 0;
    const smooth = s.p95 < 33 && longest <= 200;
    allSmooth &&= smooth;
    console.log(
      `  all columns: ${s.n} frames, avg ${ms(s.avg)}, p50 ${ms(s.p50)}, p95 ${ms(s.p95)}, max ${ms(s.max)}; long tasks ${allLong.length}${allLong.length ? `, longest ${ms(longest)}` : ''} → ${smooth ? 'smooth' : 'NOT smooth'} (p95 < 33 ms, no long task > 200 ms)`,
    );
  }
  process.exitCode = allSmooth ? 0 : 1;
} finally {
  await browser?.close();
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child!.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(dataDir, { recursive: true, force: true });
}
