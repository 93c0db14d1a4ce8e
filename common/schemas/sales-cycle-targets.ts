import { z } from 'zod';
import { Id, Timestamp } from './common';

/**
 * The firm's best practice 最佳实践 for the sales cycle: a target in days per business line, the sales-cycle report's
 * yardstick (its gap = average − target). Read with opportunities:read, set with sales:configure.
 */
export const SalesCycleTarget = z.object({
  businessLineId: Id,
  businessLineName: z.string(),
  /** The line is still in use (an inactive line keeps its target while it has one). */
  active: z.boolean(),
  /** null: no target set for the line. */
  targetDays: z.int().nullable(),
  updatedAt: Timestamp.nullable(),
});
export type SalesCycleTarget = z.infer<typeof SalesCycleTarget>;

/** Every active business line (and any inactive one with a target), in the lines' order. */
export const SalesCycleTargets = z.object({ items: z.array(SalesCycleTarget) });
export type SalesCycleTargets = z.infer<typeof SalesCycleTargets>;

/** The whole set: a line left out has no target afterwards. */
export const SalesCycleTargetsInput = z.strictObject({
  items: z.array(z.strictObject({ businessLineId: Id, targetDays: z.int().min(1).max(3650) })).max(500),
});
export type SalesCycleTargetsInput = z.infer<typeof SalesCycleTargetsInput>;
