import type { TimelineItem } from '../../../common/schemas/customer-story';

/** The web app's address of what an item opens (null: nothing to open). */
export function timelineHref(link: TimelineItem['link']): string | null {
  if (!link) return null;
  switch (link.type) {
    case 'customer':
      return `/customers/${link.id}`;
    case 'opportunity':
      return `/opportunities/${link.id}`;
    case 'contract':
      return `/contracts/${link.id}`;
    case 'order':
      return `/orders/${link.id}`;
    case 'engagement':
      return `/engagements/${link.id}`;
    case 'knowledge':
      return `/knowledge/${link.id}`;
    case 'conversation':
      return link.anchor ? `/chat/${link.id}?seq=${encodeURIComponent(link.anchor)}` : `/chat/${link.id}`;
    case 'approval':
      // The approvals inbox opens the instance beside the list (its subject is linked from there).
      return `/approvals?open=${link.id}`;
    case 'renewal':
      return `/renewals?open=${link.id}`;
    default:
      return null;
  }
}
