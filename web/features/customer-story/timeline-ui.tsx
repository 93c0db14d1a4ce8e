import {
  AuditOutlined,
  BookOutlined,
  BulbOutlined,
  CalendarOutlined,
  CheckSquareOutlined,
  FileDoneOutlined,
  FileProtectOutlined,
  FileTextOutlined,
  FunnelPlotOutlined,
  MessageOutlined,
  MoneyCollectOutlined,
  PhoneOutlined,
  ProjectOutlined,
  RetweetOutlined,
  RiseOutlined,
  ShoppingCartOutlined,
  SwapRightOutlined,
  FileSearchOutlined,
} from '@ant-design/icons';
import type { ReactNode } from 'react';
import type { TimelineItem, TimelineKind } from '../../../common/schemas/customer-story';

/** Each kind's icon and colour: an antd preset for its tag, the same colour in hex for its dot on the timeline. */
export const KIND_LOOK: Record<TimelineKind, { icon: ReactNode; color: string; dot: string }> = {
  'contact-log': { icon: <PhoneOutlined />, color: 'blue', dot: '#1677ff' },
  activity: { icon: <CalendarOutlined />, color: 'cyan', dot: '#13c2c2' },
  opportunity: { icon: <FunnelPlotOutlined />, color: 'geekblue', dot: '#2f54eb' },
  'stage-change': { icon: <SwapRightOutlined />, color: 'geekblue', dot: '#2f54eb' },
  quote: { icon: <FileTextOutlined />, color: 'purple', dot: '#722ed1' },
  contract: { icon: <FileProtectOutlined />, color: 'gold', dot: '#d48806' },
  order: { icon: <ShoppingCartOutlined />, color: 'orange', dot: '#fa8c16' },
  engagement: { icon: <ProjectOutlined />, color: 'lime', dot: '#7cb305' },
  report: { icon: <FileSearchOutlined />, color: 'green', dot: '#52c41a' },
  receipt: { icon: <MoneyCollectOutlined />, color: 'green', dot: '#52c41a' },
  invoice: { icon: <FileDoneOutlined />, color: 'volcano', dot: '#fa541c' },
  approval: { icon: <CheckSquareOutlined />, color: 'magenta', dot: '#eb2f96' },
  'chat-mention': { icon: <MessageOutlined />, color: 'blue', dot: '#1677ff' },
  lesson: { icon: <BookOutlined />, color: 'red', dot: '#f5222d' },
  insight: { icon: <BulbOutlined />, color: 'gold', dot: '#d48806' },
  renewal: { icon: <RetweetOutlined />, color: 'purple', dot: '#722ed1' },
  'cross-sell': { icon: <RiseOutlined />, color: 'cyan', dot: '#13c2c2' },
};
export const KIND_FALLBACK = { icon: <AuditOutlined />, color: 'default', dot: '#8c8c8c' };

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
