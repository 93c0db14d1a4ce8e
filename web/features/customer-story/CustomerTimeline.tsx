import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Card, Flex, Skeleton, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { TIMELINE_KINDS, type TimelineItem, type TimelineKind } from '../../../common/schemas/customer-story';
import { customerStoryApi } from '../../api/resources';
import { EmptyState } from '../../components/EmptyState';
import { formatDateTime } from '../../components/format';
import { formatMoney } from '../../components/money';
import { LoadError, failedWithoutData } from '../../components/QueryState';
import { useLocale, useT } from '../../i18n';
import { timelineHref } from './timeline-links';
import { KIND_FALLBACK, KIND_LOOK } from './timeline-ui';

const PAGE_SIZE = 30;

function ItemBody({ item }: { item: TimelineItem }) {
  const t = useT();
  const { locale } = useLocale();
  const href = timelineHref(item.link);
  const look = KIND_LOOK[item.kind] ?? KIND_FALLBACK;
  const title = (
    <Typography.Text strong style={{ whiteSpace: 'normal', wordBreak: 'break-word' }}>
      {item.title}
    </Typography.Text>
  );
  return (
    <Flex vertical gap={2} data-testid="timeline-item" data-kind={item.kind} style={{ minWidth: 0 }}>
      <Flex gap={6} wrap align="center">
        <Tag color={look.color} style={{ marginInlineEnd: 0 }}>
          {t(`story.kind.${item.kind}`)}
        </Tag>
        {href ? <Link to={href}>{title}</Link> : title}
        {/* The server writes most amounts into the title already ("到款 ¥12,000.00"); shown apart only when it did not. */}
        {item.amount !== null && !item.title.includes(formatMoney(item.amount)) && (
          <Typography.Text data-testid="timeline-amount" style={{ whiteSpace: 'nowrap' }}>
            {formatMoney(item.amount)}
          </Typography.Text>
        )}
      </Flex>
      {item.detail && (
        <Typography.Paragraph
          type="secondary"
          style={{ margin: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}
          ellipsis={{ rows: 3, expandable: true }}
        >
          {item.detail}
        </Typography.Paragraph>
      )}
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {formatDateTime(item.at, locale)}
        {item.actorName ? ` · ${item.actorName}` : ''}
      </Typography.Text>
    </Flex>
  );
}

/**
 * 全部动态: one list of everything that happened with the customer, newest first, each item as the reader may
 * see it; chips choose the kinds (none chosen: all), 加载更多 follows the server's cursor.
 */
export function CustomerTimeline({ customerId }: { customerId: string }) {
  const t = useT();
  const [kinds, setKinds] = useState<TimelineKind[]>([]);
  const kindsParam = kinds.length ? [...kinds].sort().join(',') : undefined;
  const query = useInfiniteQuery({
    queryKey: [customerStoryApi.path, customerId, 'timeline', kindsParam ?? 'all'],
    queryFn: ({ pageParam }) =>
      customerStoryApi.timeline(customerId, { kinds: kindsParam, before: pageParam, pageSize: PAGE_SIZE }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  const toggle = (kind: TimelineKind, on: boolean) =>
    setKinds((current) => (on ? [...current, kind] : current.filter((k) => k !== kind)));

  let body;
  if (failedWithoutData(query)) body = <LoadError query={query} compact />;
  else if (query.isPending) body = <Skeleton active paragraph={{ rows: 4 }} title={false} />;
  else if (items.length === 0) body = <EmptyState title={kinds.length ? t('story.emptyFiltered') : t('story.empty')} />;
  else
    body = (
      <>
        <Timeline
          data-testid="customer-timeline"
          style={{ marginTop: 8 }}
          items={items.map((item) => {
            const look = KIND_LOOK[item.kind] ?? KIND_FALLBACK;
            return { key: item.key, color: look.dot, icon: look.icon, content: <ItemBody item={item} /> };
          })}
        />
        {/* A failed next page keeps what is shown and says so, with a retry. */}
        {query.isFetchNextPageError && <LoadError query={{ ...query, refetch: () => query.fetchNextPage() }} compact />}
        <Flex justify="center">
          {query.hasNextPage ? (
            <Button
              onClick={() => void query.fetchNextPage()}
              loading={query.isFetchingNextPage}
              data-testid="timeline-more"
            >
              {t('story.loadMore')}
            </Button>
          ) : (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('story.end')}
            </Typography.Text>
          )}
        </Flex>
      </>
    );

  return (
    <Card title={t('story.timeline')} size="small" data-testid="customer-timeline-card">
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 8 }}>
        {t('story.timelineHint')}
      </Typography.Paragraph>
      <Flex gap={4} wrap style={{ marginBottom: 12 }} data-testid="timeline-kinds">
        <Tag.CheckableTag checked={kinds.length === 0} onChange={() => setKinds([])}>
          {t('story.allKinds')}
        </Tag.CheckableTag>
        {TIMELINE_KINDS.map((kind) => (
          <Tag.CheckableTag
            key={kind}
            checked={kinds.includes(kind)}
            onChange={(on) => toggle(kind, on)}
            data-testid={`timeline-kind-${kind}`}
          >
            {t(`story.kind.${kind}`)}
          </Tag.CheckableTag>
        ))}
      </Flex>
      {body}
    </Card>
  );
}
