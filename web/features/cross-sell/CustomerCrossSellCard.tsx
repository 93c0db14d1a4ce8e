import { Card, Collapse, Flex, List, Typography } from 'antd';
import { Link } from 'react-router';
import type { CrossSellSuggestion } from '../../../common/schemas/cross-sell';
import { usePage } from '../../api/queries';
import { crossSellApi, type CrossSellListParams } from '../../api/resources';
import { EmptyState } from '../../components/EmptyState';
import { formatDateTime } from '../../components/format';
import { Loaded } from '../../components/QueryState';
import { useLocale, useT } from '../../i18n';
import { CrossSellActions, CrossSellStatusTag, ScoreTag } from './actions';

function Suggestion({ s, editable }: { s: CrossSellSuggestion; editable: boolean }) {
  const t = useT();
  const { locale } = useLocale();
  return (
    <List.Item
      style={{ paddingInline: 0, alignItems: 'flex-start' }}
      data-testid="cross-sell-item"
      data-status={s.status}
      actions={editable && s.status === 'open' ? [<CrossSellActions key="act" suggestion={s} />] : undefined}
    >
      <Flex vertical gap={2} style={{ minWidth: 0 }}>
        <Flex gap={6} wrap align="center">
          <Typography.Text strong>{s.businessLineName}</Typography.Text>
          {s.status === 'open' || s.status === 'excluded' ? (
            <ScoreTag score={s.score} />
          ) : (
            <CrossSellStatusTag status={s.status} />
          )}
        </Flex>
        <Typography.Text type="secondary" style={{ whiteSpace: 'normal' }} data-testid="cross-sell-evidence">
          {s.evidenceText}
        </Typography.Text>
        {s.exclusion && (
          <Typography.Text type="warning" style={{ whiteSpace: 'normal' }} data-testid="cross-sell-rule">
            {s.exclusion.ruleText}
          </Typography.Text>
        )}
        {s.status === 'dismissed' && s.dismissReason && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t(`crossSell.reason.${s.dismissReason}`)}
            {s.dismissNote ? ` · ${s.dismissNote}` : ''}
          </Typography.Text>
        )}
        {s.status === 'accepted' && s.opportunityId && (
          <Link to={`/opportunities/${s.opportunityId}`}>{t('crossSell.opportunity')}</Link>
        )}
        {s.resolvedAt && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('crossSell.resolvedBy', { name: s.resolvedByName ?? '—', at: formatDateTime(s.resolvedAt, locale) })}
          </Typography.Text>
        )}
      </Flex>
    </List.Item>
  );
}

const list = (items: CrossSellSuggestion[], editable: boolean) => (
  <List size="small" dataSource={items} renderItem={(s) => <Suggestion key={s.id} s={s} editable={editable} />} />
);

/**
 * 交叉销售建议 on the customer page: the open suggestions, best first, with their evidence and 接受 / 忽略; those the
 * independence rules exclude (with the rule) and those already handled, folded below.
 */
export function CustomerCrossSellCard({ customerId, editable }: { customerId: string; editable: boolean }) {
  const t = useT();
  const params: CrossSellListParams = { customerId, view: 'team', page: 1, pageSize: 100, sort: '-score' };
  const query = usePage(crossSellApi, params);
  return (
    <Card title={t('crossSell.card')} size="small" data-testid="customer-cross-sell">
      <Loaded query={query}>
        {() => {
          const items = query.data?.items ?? [];
          const open = items.filter((s) => s.status === 'open');
          const excluded = items.filter((s) => s.status === 'excluded');
          const handled = items.filter((s) => s.status === 'accepted' || s.status === 'dismissed');
          const folds = [
            ...(excluded.length
              ? [
                  {
                    key: 'excluded',
                    label: `${t('crossSell.excluded')} (${excluded.length})`,
                    children: list(excluded, false),
                  },
                ]
              : []),
            ...(handled.length
              ? [
                  {
                    key: 'handled',
                    label: `${t('crossSell.history')} (${handled.length})`,
                    children: list(handled, false),
                  },
                ]
              : []),
          ];
          return (
            <Flex vertical gap={8}>
              {open.length ? (
                list(open, editable)
              ) : (
                <EmptyState title={t('crossSell.empty')} hint={t('crossSell.emptyHint')} />
              )}
              {folds.length > 0 && <Collapse size="small" ghost items={folds} data-testid="cross-sell-folds" />}
            </Flex>
          );
        }}
      </Loaded>
    </Card>
  );
}
