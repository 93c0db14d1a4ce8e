import { performance } from 'node:perf_hooks';

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

/** Prints one benchmark line: the measured path as a ratio to its baseline run in the same process. */
export function report(name: string, measured: number, baseline: number, limit: number): boolean {
  const ratio = measured / baseline;
  const ok = ratio <= limit;
  console.log(`${ok ? 'ok  ' : 'SLOW'} ${name}: ${measured.toFixed(2)} ms vs raw SQL ${baseline.toFixed(2)} ms = ${ratio.toFixed(2)}× (limit ${limit}×)`);
  return ok;
}

export function progress(label: string, done: number, total: number) {
  process.stdout.write(`\r${label}: ${done}/${total} (${Math.round((done / total) * 100)}%)`);
  if (done === total) process.stdout.write('\n');
}
