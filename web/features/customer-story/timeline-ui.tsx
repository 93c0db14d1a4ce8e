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
import type { TimelineKind } from '../../../common/schemas/customer-story';

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
