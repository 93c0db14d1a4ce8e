import { BookOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Card, Flex, List, Typography } from 'antd';
import { Link } from 'react-router';
import type { KnowledgeReason, RelatedArticle } from '../../../common/schemas/knowledge-related';
import { EmptyState } from '../../components/EmptyState';
import { Loaded } from '../../components/QueryState';
import { useT, type Translate } from '../../i18n';
import { KindTag } from '../knowledge/knowledge-ui';
import { relatedKnowledgeApi } from './api';

/** Why an article is shown, in words ("同业务线同阶段（审计 · 方案讨论）", "相似客户：制造业、中型"). */
export function reasonText(t: Translate, r: KnowledgeReason): string {
  const where = [r.lineName, r.stageName].filter(Boolean).join(' · ');
  switch (r.match) {
    case 'stage':
      return r.lineName
        ? t('relatedKnowledge.reason.stage', { line: r.lineName, stage: r.stageName ?? '' })
        : t('relatedKnowledge.reason.stageOnly', { stage: r.stageName ?? '' });
    case 'line':
      return t('relatedKnowledge.reason.line', { line: r.lineName ?? '' });
    case 'similar':
      return r.size
        ? t('relatedKnowledge.reason.similar', {
            industry: r.industry ?? '',
            size: t(`customer.size.${r.size}`),
          })
        : t('relatedKnowledge.reason.similarIndustry', { industry: r.industry ?? '' });
    case 'today':
    case 'pipeline':
      return t(`relatedKnowledge.reason.${r.match}`, { opportunity: r.opportunityName ?? '', where });
    default:
      return t(`relatedKnowledge.reason.${r.match}`);
  }
}

/** One article: its title linking to the article, its kind, and why it is shown. */
export function RelatedArticleItem({ article }: { article: RelatedArticle }) {
  const t = useT();
  return (
    <Flex vertical gap={2} style={{ width: '100%', minWidth: 0 }} data-testid="related-knowledge-item">
      <Flex gap={8} align="baseline" style={{ minWidth: 0 }}>
        <KindTag kind={article.kind} />
        <Link to={`/knowledge/${article.id}`} style={{ minWidth: 0, overflowWrap: 'anywhere' }}>
          {article.title}
        </Link>
      </Flex>
      <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="related-knowledge-reason">
        {reasonText(t, article.reason)}
        {article.usefulCount > 0 && ` · ${t('relatedKnowledge.useful', { count: article.usefulCount })}`}
      </Typography.Text>
    </Flex>
  );
}

/**
 * 相关知识: beside an opportunity, the articles of its line and stage, its customer and similar customers; beside a
 * customer, its insights and past lessons — each linking to /knowledge/:id with its kind and why it is shown.
 */
export function RelatedKnowledge(props: { opportunityId: string } | { customerId: string }) {
  const t = useT();
  const query = useQuery({
    queryKey:
      'opportunityId' in props
        ? relatedKnowledgeApi.opportunityKey(props.opportunityId)
        : relatedKnowledgeApi.customerKey(props.customerId),
    queryFn: () =>
      'opportunityId' in props
        ? relatedKnowledgeApi.opportunity(props.opportunityId)
        : relatedKnowledgeApi.customer(props.customerId),
  });
  return (
    <Card
      size="small"
      title={
        <Flex gap={6} align="center">
          <BookOutlined />
          {t('relatedKnowledge.title')}
        </Flex>
      }
      data-testid="related-knowledge"
    >
      <Loaded query={query}>
        {() =>
          query.data!.items.length === 0 ? (
            <EmptyState title={t('relatedKnowledge.empty')} />
          ) : (
            <List
              size="small"
              dataSource={query.data!.items}
              renderItem={(article) => (
                <List.Item key={article.id} style={{ paddingInline: 0 }}>
                  <RelatedArticleItem article={article} />
                </List.Item>
              )}
            />
          )
        }
      </Loaded>
    </Card>
  );
}
