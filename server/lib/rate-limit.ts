/**
 * A fixed-window counter per key (e.g. per user), held in this process's memory: `take()` counts
 * one use and says how long to wait once the window's allowance is spent. Each app instance
 * counts on its own, so behind N instances a caller gets at most N × the limit.
 */
export class WindowLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one use of `key`: 0 when allowed, otherwise the whole seconds until the window ends (at least 1). */
  take(key: string): number {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      this.prune(now);
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    if (window.count >= this.limit) return Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000));
    window.count++;
    return 0;
  }

  /** Forgets finished windows once many keys have gathered, so memory stays bounded by the active callers. */
  private prune(now: number) {
    if (this.windows.size < 1000) return;
    for (const [key, window] of this.windows) if (now - window.start >= this.windowMs) this.windows.delete(key);
  }
}
