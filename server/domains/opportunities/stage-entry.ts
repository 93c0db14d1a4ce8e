import type { Ctx } from '../../context';

/**
 * "An opportunity entered a stage": other domains (the knowledge base's playbooks) register here at start-up
 * and run inside the transaction that moved it, so opportunities never import them (no cycle).
 * `entryId` is the stage history entry: a hook keys what it did on it, so a repeat of the same entry does nothing.
 */
export type StageEntry = { opportunityId: string; stageId: string; entryId: string };
export type StageEntryHook = (ctx: Ctx, entry: StageEntry) => Promise<void>;

const hooks = new Map<string, StageEntryHook>();

/** Registers (or replaces) a hook by name: registering twice — a second app in one process — runs it once. */
export function onStageEntered(name: string, fn: StageEntryHook): void {
  hooks.set(name, fn);
}

/** Runs every hook, in registration order, in the caller's transaction. */
export async function stageEntered(ctx: Ctx, entry: StageEntry): Promise<void> {
  for (const fn of hooks.values()) await fn(ctx, entry);
}
