import { LikeOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Card, Flex, Input, List, Select, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { KNOWLEDGE_KINDS, type KnowledgeKind } from '../../../common/schemas/knowledge';
import type { KnowledgeSearchHit } from '../../../common/schemas/knowledge-search';
import { KNOWLEDGE_QUERY_MAX } from '../../../common/search';
import { EmptyState } from '../../components/EmptyState';
import { formatDate } from '../../components/format';
import { PageContainer } from '../../components/PageContainer';
import { Loaded } from '../../components/QueryState';
import { KindTag } from '../knowledge/knowledge-ui';
import { Highlighted } from './Highlighted';
import { useLocale, useT } from '../../i18n';
import { knowledgeSearchApi } from './api';

const PAGE_SIZE = 20;

/** 搜索知识库: one box over articles, lessons, insights and templates; the matches highlighted. */
export function SearchPage() {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const q = (params.get('q') ?? '').trim();
  const kindParam = params.get('kind');
  const kind = (KNOWLEDGE_KINDS as readonly string[]).includes(kindParam ?? '')
    ? (kindParam as KnowledgeKind)
    : undefined;
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [typed, setTyped] = useState(q);
  const query = useQuery({
    queryKey: [knowledgeSearchApi.path, { q, kind, page }],
    queryFn: () => knowledgeSearchApi.search({ q, kind, page, pageSize: PAGE_SIZE }),
    placeholderData: keepPreviousData,
    enabled: q.length > 0,
  });
  const update = (patch: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(patch)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setParams(next);
  };
  return (
    <PageContainer title={t('knowledgeSearch.title')} hint={t('knowledgeSearch.hint')}>
      <Card>
        <Flex gap={8} wrap style={{ marginBottom: 16 }}>
          <Input.Search
            allowClear
            enterButton
            value={typed}
            maxLength={KNOWLEDGE_QUERY_MAX}
            placeholder={t('knowledgeSearch.placeholder')}
            aria-label={t('knowledgeSearch.title')}
            style={{ flex: '1 1 260px', maxWidth: 520 }}
            data-testid="knowledge-search-input"
            onChange={(e) => setTyped(e.target.value)}
            onSearch={(value) => update({ q: value.trim() || undefined, page: undefined })}
          />
          <Select
            allowClear
            aria-label={t('knowledgeSearch.kind')}
            placeholder={t('knowledgeSearch.allKinds')}
            style={{ flex: '0 1 160px', minWidth: 120 }}
            value={kind}
            options={KNOWLEDGE_KINDS.map((k) => ({ value: k, label: t(`knowledge.kind.${k}`) }))}
            onChange={(value?: KnowledgeKind) => update({ kind: value, page: undefined })}
            data-testid="knowledge-search-kind"
          />
        </Flex>
        {q ? (
          <Loaded query={query} compact={false}>
            {() => (
              <Results
                data={query.data!}
                onPage={(p) => {
                  update({ page: p > 1 ? String(p) : undefined });
                  window.scrollTo({ top: 0 });
                }}
              />
            )}
          </Loaded>
        ) : (
          <EmptyState title={t('knowledgeSearch.start')} hint={t('knowledgeSearch.startHint')} />
        )}
      </Card>
    </PageContainer>
  );
}

function Results({
  data,
  onPage,
}: {
  data: NonNullable<Awaited<ReturnType<typeof knowledgeSearchApi.search>>>;
  onPage: (page: number) => void;
}) {
  const t = useT();
  if (data.items.length === 0 && data.page === 1)
    return <EmptyState title={t('knowledgeSearch.empty')} hint={t('knowledgeSearch.emptyHint')} />;
  return (
    <>
      <Typography.Text type="secondary" data-testid="knowledge-search-total">
        {t(data.totalExact === false ? 'knowledgeSearch.foundMore' : 'knowledgeSearch.found', {
          total: data.total.toLocaleString(),
        })}
      </Typography.Text>
      <List<KnowledgeSearchHit>
        data-testid="knowledge-search-results"
        itemLayout="vertical"
        dataSource={data.items}
        rowKey="id"
        renderItem={(hit) => <Hit hit={hit} />}
        pagination={{
          current: data.page,
          pageSize: data.pageSize,
          total: data.total,
          showSizeChanger: false,
          size: 'small',
          onChange: onPage,
        }}
      />
    </>
  );
}

function Hit({ hit }: { hit: KnowledgeSearchHit }) {
  const t = useT();
  const { locale } = useLocale();
  return (
    <List.Item data-testid="knowledge-search-hit" style={{ paddingInline: 0 }}>
      <Space direction="vertical" size={4} style={{ width: '100%', minWidth: 0 }}>
        <Flex gap={8} align="baseline" wrap>
          <KindTag kind={hit.kind} />
          <Link to={`/knowledge/${hit.id}`} style={{ fontSize: 16, fontWeight: 500, wordBreak: 'break-word' }}>
            <Highlighted segments={hit.title} />
          </Link>
        </Flex>
        {hit.snippet.length > 0 && (
          <Typography.Paragraph type="secondary" style={{ marginBottom: 0, wordBreak: 'break-word' }}>
            <Highlighted segments={hit.snippet} />
          </Typography.Paragraph>
        )}
        <Flex gap={8} wrap align="center" style={{ fontSize: 12 }}>
          {hit.businessLines.map((line) => (
            <Tag key={line.id} style={{ marginInlineEnd: 0 }}>
              {line.name}
            </Tag>
          ))}
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('knowledgeSearch.updated', { date: formatDate(hit.updatedAt, locale) })}
          </Typography.Text>
          {hit.usefulCount > 0 && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              <LikeOutlined /> {t('knowledgeSearch.useful', { count: hit.usefulCount })}
            </Typography.Text>
          )}
        </Flex>
      </Space>
    </List.Item>
  );
}
