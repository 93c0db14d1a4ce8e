import {
  CoffeeOutlined,
  MailOutlined,
  MessageOutlined,
  PhoneOutlined,
  TeamOutlined,
  ImportOutlined,
  ExportOutlined,
} from '@ant-design/icons';
import { Tag, Typography } from 'antd';
import type { ReactNode } from 'react';
import type { CONTACT_CHANNELS, CONTACT_DIRECTIONS, CUSTOMER_STATUSES } from '../../../common/schemas/customers';
import { firmToday, formatDate } from '../../components/format';
import { useLocale, useT } from '../../i18n';

type Status = (typeof CUSTOMER_STATUSES)[number];
type Direction = (typeof CONTACT_DIRECTIONS)[number];
type Channel = (typeof CONTACT_CHANNELS)[number];

const STATUS_COLORS: Record<Status, string> = { prospect: 'blue', customer: 'green', former: 'default' };

export function CustomerStatusTag({ status }: { status: Status }) {
  const t = useT();
  return (
    <Tag color={STATUS_COLORS[status]} style={{ marginInlineEnd: 0 }}>
      {t(`customer.status.${status}`)}
    </Tag>
  );
}

export const CHANNEL_ICONS: Record<Channel, ReactNode> = {
  phone: <PhoneOutlined />,
  visit: <TeamOutlined />,
  email: <MailOutlined />,
  wechat: <MessageOutlined />,
  meeting: <CoffeeOutlined />,
};

/** Inbound (the customer called or came) in orange, outbound (we called or went) in blue. */
export const DIRECTION_COLORS: Record<Direction, string> = { inbound: '#d46b08', outbound: '#1f5fbf' };

export function DirectionTag({ direction, short = false }: { direction: Direction; short?: boolean }) {
  const t = useT();
  return (
    <Tag
      color={direction === 'inbound' ? 'orange' : 'blue'}
      icon={direction === 'inbound' ? <ImportOutlined /> : <ExportOutlined />}
      style={{ marginInlineEnd: 0 }}
      data-testid={`direction-${direction}`}
    >
      {t(short ? `log.directionShort.${direction}` : `log.direction.${direction}`)}
    </Tag>
  );
}

/** A next-contact date: red when overdue, orange when due today. */
export function NextContactDate({ date }: { date: string | null }) {
  const t = useT();
  const { locale } = useLocale();
  if (!date) return <Typography.Text type="secondary">—</Typography.Text>;
  const today = firmToday();
  const text = formatDate(date, locale);
  if (date < today)
    return (
      <Typography.Text type="danger" data-testid="next-contact-overdue">
        {text}{' '}
        <Tag color="red" style={{ marginInlineEnd: 0 }}>
          {t('customer.overdue')}
        </Tag>
      </Typography.Text>
    );
  if (date === today)
    return (
      <Typography.Text type="warning" strong>
        {text}{' '}
        <Tag color="orange" style={{ marginInlineEnd: 0 }}>
          {t('customer.today')}
        </Tag>
      </Typography.Text>
    );
  return <Typography.Text>{text}</Typography.Text>;
}

export const orDash = (value: ReactNode) =>
  value === null || value === undefined || value === '' ? <Typography.Text type="secondary">—</Typography.Text> : value;
