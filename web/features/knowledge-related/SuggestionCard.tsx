import { ReadOutlined } from '@ant-design/icons';
import { Card, Flex } from 'antd';
import { Link } from 'react-router';
import type { RelatedArticle } from '../../../common/schemas/knowledge-related';
import { useT } from '../../i18n';
import { RelatedArticleItem } from './RelatedKnowledge';

/** 今日推荐阅读 on Today: one unread article relevant to the day's work (nothing when there is none). */
export function KnowledgeSuggestionCard({ article }: { article: RelatedArticle | null }) {
  const t = useT();
  if (!article) return null;
  return (
    <Card
      size="small"
      title={
        <Flex gap={6} align="center">
          <ReadOutlined />
          {t('relatedKnowledge.suggestion')}
        </Flex>
      }
      extra={<Link to={`/knowledge/${article.id}`}>{t('relatedKnowledge.read')}</Link>}
      data-testid="today-knowledge"
    >
      <RelatedArticleItem article={article} />
    </Card>
  );
}
