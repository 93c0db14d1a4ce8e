import {
  AccountBookOutlined, CarOutlined, CommentOutlined, EllipsisOutlined, FileTextOutlined, InteractionOutlined, MailOutlined, PhoneOutlined,
  QuestionCircleOutlined, SendOutlined, TeamOutlined,
} from '@ant-design/icons';
import { Tag } from 'antd';
import type { ReactNode } from 'react';
import { ACTIVITY_CATEGORIES, type ActivityCategory } from '../../../common/schemas/activities';
import { useT, type Translate } from '../../i18n';

export const CATEGORY_ICONS: Record<ActivityCategory, ReactNode> = {
  call: <PhoneOutlined />,
  visit: <CarOutlined />,
  email: <MailOutlined />,
  meeting: <TeamOutlined />,
  proposal: <FileTextOutlined />,
  discussion: <CommentOutlined />,
  materials: <SendOutlined />,
  question: <QuestionCircleOutlined />,
  quote: <AccountBookOutlined />,
  negotiation: <InteractionOutlined />,
  other: <EllipsisOutlined />,
};

/** Light work (calls, e-mails, materials, answers) in cool colours; deeper work in warm ones. */
export const CATEGORY_COLORS: Record<ActivityCategory, string> = {
  call: 'blue',
  visit: 'cyan',
  email: 'geekblue',
  meeting: 'purple',
  proposal: 'magenta',
  discussion: 'volcano',
  materials: 'green',
  question: 'lime',
  quote: 'orange',
  negotiation: 'red',
  other: 'default',
};

export function isCategory(value: string): value is ActivityCategory {
  return (ACTIVITY_CATEGORIES as readonly string[]).includes(value);
}

/** A category's name; categories outside the built-in list (added later) show as they are stored. */
export function categoryLabel(t: Translate, category: string): string {
  return isCategory(category) ? t(`activity.category.${category}`) : category;
}

export function CategoryTag({ category }: { category: string }) {
  const t = useT();
  const known = isCategory(category);
  return (
    <Tag color={known ? CATEGORY_COLORS[category] : 'default'} icon={known ? CATEGORY_ICONS[category] : undefined} style={{ marginInlineEnd: 0 }} data-testid={`activity-category-${category}`}>
      {categoryLabel(t, category)}
    </Tag>
  );
}
