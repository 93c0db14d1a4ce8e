import { PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Flex, Input, Select, Table, Tabs, Tag, Typography, type TableProps } from 'antd';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { KNOWLEDGE_KINDS, type KnowledgeArticleItem } from '../../../common/schemas/knowledge';
import { useAllBusinessLines, usePage } from '../../api/queries';
import { can, useMe } from '../../auth/session';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { PageContainer } from '../../components/PageContainer';
import { Loaded } from '../../components/QueryState';
import { useServerTable } from '../../components/server-table';
import { useT } from '../../i18n';
import { knowledgeApi, type KnowledgeListParams, type KnowledgeStaleParams } from './api';
import { ArticleEditor } from './ArticleEditor';
import { KindTag, StaleTag } from './knowledge-ui';

const FIRST_PAGE = { page: 1, pageSize: 20 };
type Tab = 'all' | 'stale' | 'contributors' | 'archived';

/** 知识库: the articles (filters, kind tags, stale badges), the stale list 待复审 and the contributors 贡献榜. */
export function KnowledgePage() {
  const t = useT();
  const me = useMe();
  const navigate = useNavigate();
  const [search, setSearch] = useSearchParams();
  const tab = (search.get('tab') as Tab | null) ?? 'all';
  const [creating, setCreating] = useState(false);
  const writer = can(me, 'knowledge:write');
  return (
    <PageContainer
      title={t('knowledge.nav')}
      hint={t('knowledge.hint')}
      extra={
        writer && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setCreating(true)}
            data-testid="knowledge-create"
          >
            {t('knowledge.create')}
          </Button>
        )
      }
    >
      <Input.Search
        allowClear
        enterButton
        size="large"
        placeholder={t('knowledge.searchPlaceholder')}
        aria-label={t('knowledge.searchPlaceholder')}
        data-testid="knowledge-search"
        onSearch={(q) => q.trim() && navigate(`/knowledge/search?q=${encodeURIComponent(q.trim())}`)}
      />
      <Card>
        <Tabs
          activeKey={tab}
          onChange={(key) => setSearch(key === 'all' ? {} : { tab: key }, { replace: true })}
          items={[
            { key: 'all', label: t('knowledge.tab.all'), children: <ArticleList archived={false} /> },
            { key: 'stale', label: t('knowledge.tab.stale'), children: <StaleList /> },
            { key: 'contributors', label: t('knowledge.tab.contributors'), children: <Contributors /> },
            { key: 'archived', label: t('knowledge.tab.archived'), children: <ArticleList archived /> },
          ]}
          destroyOnHidden
        />
      </Card>
      {writer && (
        <ArticleEditor
          open={creating}
          article={null}
          onClose={() => setCreating(false)}
          onSaved={(a) => navigate(`/knowledge/${a.id}`)}
        />
      )}
    </PageContainer>
  );
}

function useColumns(): NonNullable<TableProps<KnowledgeArticleItem>['columns']> {
  const t = useT();
  return [
    {
      key: 'title',
      title: t('knowledge.title'),
      sorter: true,
      render: (_, a) => (
        <Flex vertical gap={4}>
          <Link to={`/knowledge/${a.id}`} data-testid="knowledge-title">
            {a.title}
          </Link>
          <Flex gap={4} wrap>
            <KindTag kind={a.kind} />
            {a.stale && <StaleTag />}
            {a.tags.map((tag) => (
              <Tag key={tag} style={{ marginInlineEnd: 0 }}>
                {tag}
              </Tag>
            ))}
          </Flex>
        </Flex>
      ),
    },
    {
      key: 'lines',
      title: t('knowledge.businessLines'),
      responsive: ['md'],
      render: (_, a) => a.businessLines.map((l) => l.name).join('、') || '—',
    },
    { key: 'owner', title: t('knowledge.owner'), responsive: ['sm'], render: (_, a) => a.owner.name },
    { key: 'reviewOn', title: t('knowledge.reviewOn'), responsive: ['lg'], render: (_, a) => a.reviewOn ?? '—' },
    { key: 'viewCount', title: t('knowledge.views'), sorter: true, align: 'right', render: (_, a) => a.viewCount },
    { key: 'usefulCount', title: t('knowledge.useful'), sorter: true, align: 'right', render: (_, a) => a.usefulCount },
    {
      key: 'updatedAt',
      title: t('knowledge.updatedAt'),
      sorter: true,
      responsive: ['md'],
      render: (_, a) => a.updatedAt.slice(0, 10),
    },
  ];
}

function ArticleList({ archived }: { archived: boolean }) {
  const t = useT();
  const [params, setParams] = useState<KnowledgeListParams>({ ...FIRST_PAGE, archived: archived || undefined });
  const page = usePage(knowledgeApi, params);
  const lines = useAllBusinessLines();
  const table = useServerTable<KnowledgeArticleItem, KnowledgeListParams>(params, setParams, page.data?.total);
  const filter = (patch: Partial<KnowledgeListParams>) => setParams((p) => ({ ...p, ...patch, page: 1 }));
  const filtered = Boolean(params.q || params.kind || params.businessLineId || params.tag || params.stale);
  const columns = useColumns();
  return (
    <>
      <Flex gap={8} wrap style={{ marginBottom: 16 }} data-testid="knowledge-filters">
        <Input.Search
          allowClear
          placeholder={t('knowledge.titleFilter')}
          aria-label={t('knowledge.titleFilter')}
          style={{ width: 220, maxWidth: '100%' }}
          onSearch={(q) => filter({ q: q.trim() || undefined })}
        />
        <Select
          allowClear
          placeholder={t('knowledge.kind')}
          aria-label={t('knowledge.kind')}
          style={{ width: 130 }}
          options={KNOWLEDGE_KINDS.map((k) => ({ value: k, label: t(`knowledge.kind.${k}`) }))}
          value={params.kind}
          onChange={(kind) => filter({ kind })}
        />
        <Select
          allowClear
          placeholder={t('knowledge.businessLines')}
          aria-label={t('knowledge.businessLines')}
          style={{ width: 150 }}
          options={(lines.data ?? []).map((l) => ({ value: l.id, label: l.name }))}
          value={params.businessLineId}
          onChange={(businessLineId) => filter({ businessLineId })}
        />
        <Input
          allowClear
          placeholder={t('knowledge.tags')}
          aria-label={t('knowledge.tags')}
          style={{ width: 130 }}
          onPressEnter={(e) => filter({ tag: e.currentTarget.value.trim() || undefined })}
          onChange={(e) => !e.target.value && filter({ tag: undefined })}
        />
        {!archived && (
          <Select
            allowClear
            placeholder={t('knowledge.stale')}
            aria-label={t('knowledge.stale')}
            style={{ width: 120 }}
            options={[{ value: true, label: t('knowledge.stale') }]}
            value={params.stale}
            onChange={(stale) => filter({ stale })}
          />
        )}
      </Flex>
      <DataTable<KnowledgeArticleItem>
        data-testid="knowledge-table"
        {...table.props(
          page,
          columns,
          <EmptyState
            title={t(filtered || archived ? 'knowledge.emptyFiltered' : 'knowledge.empty')}
            hint={filtered || archived ? undefined : t('knowledge.emptyHint')}
          />,
        )}
      />
    </>
  );
}

function StaleList() {
  const t = useT();
  const [params, setParams] = useState<KnowledgeStaleParams>(FIRST_PAGE);
  const page = usePage({ path: knowledgeApi.path, list: knowledgeApi.stale }, params);
  const table = useServerTable<KnowledgeArticleItem, KnowledgeStaleParams>(params, setParams, page.data?.total);
  const columns = useColumns().filter((c) => c.key !== 'viewCount' && c.key !== 'usefulCount' && c.key !== 'updatedAt');
  return (
    <>
      <Typography.Paragraph type="secondary">{t('knowledge.staleHint')}</Typography.Paragraph>
      <DataTable<KnowledgeArticleItem>
        data-testid="knowledge-stale-table"
        {...table.props(page, columns, <EmptyState title={t('knowledge.staleEmpty')} />)}
      />
    </>
  );
}

function Contributors() {
  const t = useT();
  const query = useQuery({ queryKey: [knowledgeApi.path, 'contributors'], queryFn: knowledgeApi.contributors });
  return (
    <>
      <Typography.Paragraph type="secondary">{t('knowledge.contributorsHint')}</Typography.Paragraph>
      <Loaded query={query}>
        {() =>
          query.data!.departments.length === 0 ? (
            <EmptyState title={t('knowledge.contributorsEmpty')} />
          ) : (
            <Flex vertical gap={16} data-testid="knowledge-contributors">
              {query.data!.departments.map((d) => (
                <div key={d.departmentId ?? 'none'}>
                  <Typography.Title level={5}>
                    {d.departmentName ?? t('knowledge.contributors.noDepartment')}
                  </Typography.Title>
                  <Table
                    size="small"
                    rowKey="userId"
                    pagination={false}
                    dataSource={d.people}
                    scroll={{ x: 'max-content' }}
                    columns={[
                      { key: 'rank', title: '#', render: (_, __, i) => i + 1, width: 40 },
                      { key: 'name', title: t('knowledge.contributors.person'), dataIndex: 'name' },
                      {
                        key: 'articles',
                        title: t('knowledge.contributors.articles'),
                        dataIndex: 'articles',
                        align: 'right',
                      },
                      {
                        key: 'lessons',
                        title: t('knowledge.contributors.lessons'),
                        dataIndex: 'lessons',
                        align: 'right',
                      },
                      {
                        key: 'useful',
                        title: t('knowledge.contributors.useful'),
                        dataIndex: 'usefulReceived',
                        align: 'right',
                      },
                    ]}
                  />
                </div>
              ))}
            </Flex>
          )
        }
      </Loaded>
    </>
  );
}
