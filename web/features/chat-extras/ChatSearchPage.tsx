import { ArrowLeftOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Card, Flex, Input, List, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { ConversationKind } from '../../../common/schemas/chat';
import { EmptyState } from '../../components/EmptyState';
import { formatDateTime } from '../../components/format';
import { PageContainer } from '../../components/PageContainer';
import { Loaded } from '../../components/QueryState';
import { useLocale, useT } from '../../i18n';
import { Highlighted } from '../knowledge-search/Highlighted';
import { chatExtrasApi, type ChatSearchAnswer } from './api';
import { messageHref, SEARCH_PAGE_SIZE, SEARCH_QUERY_MAX, searchState } from './logic';

type Hit = ChatSearchAnswer['items'][number];

const KIND_COLORS: Record<ConversationKind, string> = {
  department: 'blue',
  record: 'purple',
  group: 'cyan',
  direct: 'default',
};

/**
 * 搜索消息 (/chat/search): one box over the messages I may read, the matches highlighted; a hit opens its
 * conversation at the message (/chat/<id>?seq=<seq>). `?conversationId=` keeps the search within one conversation.
 */
export function ChatSearchPage() {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const { q, page } = searchState(params);
  const conversationId = params.get('conversationId') ?? undefined;
  const [typed, setTyped] = useState(q);
  const query = useQuery({
    queryKey: [chatExtrasApi.chatPath, 'search', { q, page, conversationId }],
    queryFn: () => chatExtrasApi.search({ q, page, pageSize: SEARCH_PAGE_SIZE, conversationId }),
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
    <PageContainer
      title={
        <Flex align="center" gap={8}>
          <Link to={conversationId ? `/chat/${conversationId}` : '/chat'} aria-label={t('chatExtras.search.back')}>
            <ArrowLeftOutlined />
          </Link>
          {t('chatExtras.search.title')}
        </Flex>
      }
      hint={t('chatExtras.search.hint')}
    >
      <Card>
        <Input.Search
          allowClear
          enterButton
          value={typed}
          maxLength={SEARCH_QUERY_MAX}
          placeholder={t('chatExtras.search.placeholder')}
          aria-label={t('chatExtras.search.title')}
          style={{ display: 'flex', maxWidth: 560, marginBottom: 16 }}
          data-testid="chat-search-input"
          onChange={(e) => setTyped(e.target.value)}
          onSearch={(value) => update({ q: value.trim() || undefined, page: undefined })}
        />
        {q ? (
          <Loaded query={query} compact={false}>
            {() => (
              <Results
                data={query.data!}
                page={page}
                onPage={(p) => {
                  update({ page: p > 1 ? String(p) : undefined });
                  window.scrollTo({ top: 0 });
                }}
              />
            )}
          </Loaded>
        ) : (
          <EmptyState title={t('chatExtras.search.start')} hint={t('chatExtras.search.startHint')} />
        )}
      </Card>
    </PageContainer>
  );
}

function Results({ data, page, onPage }: { data: ChatSearchAnswer; page: number; onPage: (page: number) => void }) {
  const t = useT();
  if (data.items.length === 0 && page === 1)
    return <EmptyState title={t('chatExtras.search.empty')} hint={t('chatExtras.search.emptyHint')} />;
  return (
    <>
      <Typography.Text type="secondary" style={{ display: 'block' }} data-testid="chat-search-total">
        {t('chatExtras.search.found', { total: data.total.toLocaleString() })}
      </Typography.Text>
      <List<Hit>
        data-testid="chat-search-results"
        itemLayout="vertical"
        dataSource={data.items}
        rowKey="messageId"
        renderItem={(hit) => <SearchHit hit={hit} />}
        pagination={{
          current: page,
          pageSize: SEARCH_PAGE_SIZE,
          total: data.total,
          showSizeChanger: false,
          size: 'small',
          onChange: onPage,
        }}
      />
    </>
  );
}

function SearchHit({ hit }: { hit: Hit }) {
  const t = useT();
  const { locale } = useLocale();
  return (
    <List.Item data-testid="chat-search-hit" style={{ paddingInline: 0 }}>
      <Space orientation="vertical" size={4} style={{ width: '100%', minWidth: 0 }}>
        <Flex gap={8} align="baseline" wrap>
          <Tag color={KIND_COLORS[hit.conversation.kind]} style={{ marginInlineEnd: 0 }}>
            {t(`chatExtras.kind.${hit.conversation.kind}`)}
          </Tag>
          <Typography.Text strong style={{ wordBreak: 'break-word' }}>
            {hit.conversation.title}
          </Typography.Text>
          {hit.parentId && <Tag style={{ marginInlineEnd: 0 }}>{t('chatExtras.search.inThread')}</Tag>}
        </Flex>
        <Link
          to={messageHref(hit.conversation.id, hit.seq, hit.parentId)}
          style={{ display: 'block', color: 'inherit', wordBreak: 'break-word', whiteSpace: 'pre-wrap' }}
          data-testid="chat-search-open"
        >
          <Highlighted segments={hit.segments} />
        </Link>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {hit.author.name} · {formatDateTime(hit.createdAt, locale)}
        </Typography.Text>
      </Space>
    </List.Item>
  );
}
