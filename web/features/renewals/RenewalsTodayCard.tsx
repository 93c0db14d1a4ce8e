import { ClockCircleOutlined, SyncOutlined } from '@ant-design/icons';
import { Badge, Button, Card, List, Space, Tag, Typography } from 'antd';
import { Link, useNavigate } from 'react-router';
import type { Renewal } from '../../../common/schemas/renewals';
import { formatDate } from '../../components/format';
import { formatMoney } from '../../components/money';
import { useLocale, useT } from '../../i18n';
import { daysBetween } from './renewal-logic';

/**
 * Today's 续约提醒: my renewals raised and still open, the nearest season first — the customer, the business line,
 * the season, last period's amount — each opening its renewal opportunity. Today shows it only when there are some.
 */
export function RenewalsTodayCard({ items, today }: { items: Renewal[]; today: string }) {
  const t = useT();
  const { locale } = useLocale();
  const navigate = useNavigate();
  return (
    <Card
      size="small"
      data-testid="today-renewals"
      title={
        <Space>
          <SyncOutlined />
          {t('renewal.today')}
          <Badge count={items.length} showZero color="#1677ff" />
        </Space>
      }
      extra={<Link to="/renewals?tab=raised">{t('renewal.todayAll')}</Link>}
    >
      <List
        dataSource={items}
        renderItem={(r) => {
          const days = daysBetween(today, r.dueOn);
          const to = r.opportunityId ? `/opportunities/${r.opportunityId}` : `/customers/${r.customerId}`;
          return (
            <List.Item
              data-testid="today-renewal"
              actions={[
                <Button
                  key="open"
                  size="small"
                  type="primary"
                  ghost
                  onClick={() => void navigate(to)}
                  data-testid="today-renewal-open"
                >
                  {t('renewal.todayOpen')}
                </Button>,
              ]}
            >
              <List.Item.Meta
                title={
                  <Space size={8} wrap>
                    <Link to={to}>{r.customerName}</Link>
                    <Tag color="blue">{r.businessLineName}</Tag>
                  </Space>
                }
                description={
                  <Space size={12} wrap>
                    <span>
                      <ClockCircleOutlined /> {t('renewal.todaySeason', { date: formatDate(r.dueOn, locale) })}
                    </span>
                    <Tag color={days < 0 ? 'red' : days <= 14 ? 'orange' : 'default'}>
                      {days === 0
                        ? t('renewal.todayDueToday')
                        : days > 0
                          ? t('renewal.todayIn', { days })
                          : t('renewal.todayPast', { days: -days })}
                    </Tag>
                    {r.previousAmount && (
                      <Typography.Text>
                        {t('renewal.todayLast', { amount: formatMoney(r.previousAmount) })}
                      </Typography.Text>
                    )}
                  </Space>
                }
              />
            </List.Item>
          );
        }}
      />
    </Card>
  );
}
