import { useQuery } from '@tanstack/react-query';
import { Card, Descriptions, Flex, List, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import type { CustomerFigures } from '../../../common/schemas/customer-story';
import { customerStoryApi } from '../../api/resources';
import { EmptyState } from '../../components/EmptyState';
import { formatDate } from '../../components/format';
import { formatMoney, toCents } from '../../components/money';
import { Loaded } from '../../components/QueryState';
import { useLocale, useT } from '../../i18n';

type Line = { id: string; name: string };

/** Every business line bought in any year, in the order they first appear (newest year first). */
function linesOf(figures: CustomerFigures): Line[] {
  const seen = new Map<string, string>();
  for (const year of figures.servicesByYear)
    for (const line of year.lines)
      if (!seen.has(line.businessLineId)) seen.set(line.businessLineId, line.businessLineName);
  return [...seen].map(([id, name]) => ({ id, name }));
}

/** Year × business line, amounts as the server sums them (contracted), a total per year. */
function ServicesByYear({ figures }: { figures: CustomerFigures }) {
  const t = useT();
  const lines = linesOf(figures);
  const rows = [...figures.servicesByYear].sort((a, b) => b.year - a.year);
  return (
    <Table
      size="small"
      pagination={false}
      rowKey="year"
      scroll={{ x: 'max-content' }}
      dataSource={rows}
      data-testid="figures-by-year"
      columns={[
        { key: 'year', title: t('story.year'), dataIndex: 'year', fixed: 'left' },
        ...lines.map((line) => ({
          key: line.id,
          title: line.name,
          align: 'right' as const,
          render: (_: unknown, row: (typeof rows)[number]) => {
            const amount = row.lines.find((l) => l.businessLineId === line.id)?.amount;
            return <span style={{ whiteSpace: 'nowrap' }}>{amount ? formatMoney(amount) : '—'}</span>;
          },
        })),
        {
          key: 'total',
          title: t('story.total'),
          align: 'right' as const,
          render: (_: unknown, row: (typeof rows)[number]) => (
            <Typography.Text strong style={{ whiteSpace: 'nowrap' }}>
              {formatMoney(row.total)}
            </Typography.Text>
          ),
        },
      ]}
    />
  );
}

function isZero(value: string) {
  return (toCents(value) ?? 0n) === 0n;
}

/** 客户贡献 (beside the evaluation's 客户价值 card): what the customer has brought (received, contracted, still due), what it bought each year, and when its services come round again. */
export function CustomerFiguresCard({ customerId }: { customerId: string }) {
  const t = useT();
  const { locale } = useLocale();
  const query = useQuery({
    queryKey: [customerStoryApi.path, customerId, 'figures'],
    queryFn: () => customerStoryApi.figures(customerId),
  });
  return (
    <Card title={t('story.figures')} size="small" data-testid="customer-figures">
      <Loaded query={query}>
        {() => {
          const f = query.data!;
          const prospect =
            isZero(f.lifetimeRevenue) && isZero(f.contracted) && f.servicesByYear.length === 0 && !f.firstSaleOn;
          return (
            <Flex vertical gap={12}>
              {prospect ? (
                <EmptyState title={t('story.figuresEmpty')} hint={t('story.figuresEmptyHint')} />
              ) : (
                <>
                  <Descriptions
                    size="small"
                    column={{ xs: 1, sm: 2 }}
                    items={[
                      {
                        key: 'revenue',
                        label: t('story.lifetimeRevenue'),
                        children: <span data-testid="figures-revenue">{formatMoney(f.lifetimeRevenue)}</span>,
                      },
                      {
                        key: 'contracted',
                        label: t('story.contracted'),
                        children: <span data-testid="figures-contracted">{formatMoney(f.contracted)}</span>,
                      },
                      {
                        key: 'outstanding',
                        label: t('story.outstanding'),
                        children: (
                          <Typography.Text
                            type={isZero(f.outstanding) ? undefined : 'warning'}
                            data-testid="figures-outstanding"
                          >
                            {formatMoney(f.outstanding)}
                          </Typography.Text>
                        ),
                      },
                      { key: 'first', label: t('story.firstSale'), children: formatDate(f.firstSaleOn, locale) || '—' },
                    ]}
                  />
                  {f.servicesByYear.length > 0 && (
                    <div>
                      <Typography.Text type="secondary">{t('story.byYear')}</Typography.Text>
                      <ServicesByYear figures={f} />
                    </div>
                  )}
                </>
              )}
              <div>
                <Typography.Text type="secondary">{t('story.renewalDates')}</Typography.Text>
                {f.renewalDates.length === 0 ? (
                  <Typography.Paragraph type="secondary" style={{ margin: 0, fontSize: 12 }}>
                    {t('story.noRenewalDates')}
                  </Typography.Paragraph>
                ) : (
                  <List
                    size="small"
                    data-testid="figures-renewals"
                    dataSource={[...f.renewalDates].sort((a, b) => a.dueOn.localeCompare(b.dueOn))}
                    renderItem={(r) => (
                      <List.Item style={{ paddingInline: 0 }}>
                        <Flex justify="space-between" gap={8} wrap style={{ width: '100%' }}>
                          <span>
                            {r.renewalId ? (
                              <Link to={`/renewals?open=${r.renewalId}`}>{r.businessLineName}</Link>
                            ) : (
                              r.businessLineName
                            )}{' '}
                            <Tag>{t(`story.source.${r.source}`)}</Tag>
                          </span>
                          <span style={{ whiteSpace: 'nowrap' }}>{formatDate(r.dueOn, locale)}</span>
                        </Flex>
                      </List.Item>
                    )}
                  />
                )}
              </div>
            </Flex>
          );
        }}
      </Loaded>
    </Card>
  );
}
