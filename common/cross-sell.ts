/**
 * What the cross-sell schemas (common/schemas/cross-sell.ts) and the web app's Today card both use, without zod: a
 * value imported from a schema module brings the validation library into the pages that show it (Today's first load).
 */

/** not-needed and other-provider are never suggested again for that customer and service; later: after 90 days. */
export const DISMISS_REASONS = ['not-needed', 'other-provider', 'later'] as const;
export type DismissReason = (typeof DISMISS_REASONS)[number];
