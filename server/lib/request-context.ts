import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The request (or job) the current code runs for, carried along every await: the HTTP request's id from
 * genReqId (app.ts) while a request is handled, the originating request's id while a job it started runs
 * (jobs/engine.ts). Jobs sent meanwhile carry it in their data, so the log lines of a request and of every job it
 * led to share one `reqId`.
 */
const storage = new AsyncLocalStorage<{ requestId: string }>();

/** Runs `fn` (and everything it awaits or schedules) as part of `requestId`. */
export function runWithRequestId<T>(requestId: string, fn: () => T): T {
  return storage.run({ requestId }, fn);
}

/** The id of the request the current code runs for, if any. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
