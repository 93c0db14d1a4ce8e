import type { LeadStatus } from '../../../common/schemas/leads';
import type { Ctx } from '../../context';

/**
 * "A lead's status changed": other domains (the knowledge base's playbooks) register here at start-up and run
 * inside the transaction that changed it, so leads never import them (no cycle). `entryId` is the status history
 * entry: a hook keys what it did on it, so a repeat of the same entry does nothing.
 */
export type LeadStatusEntry = { leadId: string; status: LeadStatus; entryId: string };
export type LeadStatusHook = (ctx: Ctx, entry: LeadStatusEntry) => Promise<void>;

const hooks = new Map<string, LeadStatusHook>();

/** Registers (or replaces) a hook by name: registering twice — a second app in one process — runs it once. */
export function onLeadStatusEntered(name: string, fn: LeadStatusHook): void {
  hooks.set(name, fn);
}

/** Runs every hook, in registration order, in the caller's transaction. */
export async function leadStatusEntered(ctx: Ctx, entry: LeadStatusEntry): Promise<void> {
  for (const fn of hooks.values()) await fn(ctx, entry);
}
