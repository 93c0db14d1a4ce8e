import { describe, expect, it } from 'vitest';
import type { TimelineItem } from '../../../common/schemas/customer-story';
import { timelineHref } from './timeline-links';

type LinkType = NonNullable<TimelineItem['link']>['type'];

const ID = '0b7c6a2e-5d7e-4f7e-9a51-3c1f8a1d2e40';

describe("a timeline item's link", () => {
  it("opens the record's page in the web app", () => {
    const href = (type: LinkType, anchor: string | null = null) => timelineHref({ type, id: ID, anchor });
    expect(href('customer')).toBe(`/customers/${ID}`);
    expect(href('opportunity')).toBe(`/opportunities/${ID}`);
    expect(href('contract')).toBe(`/contracts/${ID}`);
    expect(href('order')).toBe(`/orders/${ID}`);
    expect(href('engagement')).toBe(`/engagements/${ID}`);
    expect(href('knowledge')).toBe(`/knowledge/${ID}`);
    expect(href('conversation', '42')).toBe(`/chat/${ID}?seq=42`);
    expect(href('conversation')).toBe(`/chat/${ID}`);
    expect(href('approval')).toBe(`/approvals?open=${ID}`);
    expect(href('renewal')).toBe(`/renewals?open=${ID}`);
    expect(timelineHref(null)).toBeNull();
  });
});
