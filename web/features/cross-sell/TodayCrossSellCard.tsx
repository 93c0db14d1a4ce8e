import { RiseOutlined } from '@ant-design/icons';
import { Badge, Card, Flex, List, Space, Typography } from 'antd';
import { Link } from 'react-router';
import type { CrossSellSuggestion } from '../../../common/schemas/cross-sell';
import { useT } from '../../i18n';
import { CrossSellActions, ScoreTag } from './actions';

/** 推荐服务 on Today: this week's best suggestions for my customers, each with 接受 / 忽略; nothing when there are none. */
export function TodayCrossSellCard({ items }: { items: CrossSellSuggestion[] }) {
  const t = useT();
  if (items.length === 0) return null;
  return (
    <Card
      size="small"
      data-testid="today-cross-sell"
      title={
        <Space>
          <RiseOutlined />
          {t('crossSell.todayCard')}
          <Badge count={items.length} color="#1677ff" />
        </Space>
      }
      extra={<Link to="/cross-sell">{t('crossSell.more')}</Link>}
    >
      <List
        dataSource={items}
        renderItem={(s) => (
          <List.Item data-testid="today-cross-sell-item" style={{ paddingInline: 0 }}>
            <Flex vertical gap={4} style={{ width: '100%', minWidth: 0 }}>
              <Flex gap={6} wrap align="center">
                <Link to={`/customers/${s.customerId}`}>{s.customerName}</Link>
                <Typography.Text strong>{s.businessLineName}</Typography.Text>
                <ScoreTag score={s.score} />
              </Flex>
              <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'normal' }}>
                {s.evidenceText}
              </Typography.Text>
              <CrossSellActions suggestion={s} />
            </Flex>
          </List.Item>
        )}
      />
    </Card>
  );
}
