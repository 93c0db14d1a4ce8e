import { LikeFilled, LikeOutlined, PaperClipOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { App, Button, Card, Descriptions, Drawer, Flex, List, Popconfirm, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useWrite } from '../../api/queries';
import { useErrorToast } from '../../components/errors';
import { Markdown } from '../../components/Markdown';
import { PageContainer } from '../../components/PageContainer';
import { Loaded } from '../../components/QueryState';
import { useIsMobile } from '../../components/responsive';
import { useT } from '../../i18n';
import { knowledgeApi } from './api';
import { ArticleEditor } from './ArticleEditor';
import { KNOWLEDGE_INVALIDATES, KindTag, StaleTag } from './knowledge-ui';
import { LinksCard } from './LinksCard';

/** One article: the rendered body, what it is about, who keeps it, its links, files, history and "useful" mark. */
export function ArticlePage() {
  const { id = '' } = useParams();
  const t = useT();
  const mobile = useIsMobile();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const query = useQuery({ queryKey: [knowledgeApi.path, 'one', id], queryFn: () => knowledgeApi.get(id) });
  const versions = useQuery({
    queryKey: [knowledgeApi.path, 'versions', id],
    queryFn: () => knowledgeApi.versions(id),
  });
  const [editing, setEditing] = useState(false);
  const [viewing, setViewing] = useState<number | null>(null);
  const old = useQuery({
    queryKey: [knowledgeApi.path, 'version', id, viewing],
    queryFn: () => knowledgeApi.version(id, viewing!),
    enabled: viewing !== null,
  });
  const useful = useWrite((on: boolean) => knowledgeApi.useful(id, on), KNOWLEDGE_INVALIDATES);
  const archive = useWrite((on: boolean) => knowledgeApi.archive(id, on), KNOWLEDGE_INVALIDATES);
  const reviewed = useWrite(
    () => knowledgeApi.stewardship(id, { reviewOn: dayjs().add(1, 'year').format('YYYY-MM-DD') }),
    KNOWLEDGE_INVALIDATES,
  );
  const a = query.data;

  return (
    <PageContainer
      title={a?.title ?? t('knowledge.nav')}
      hint={<Link to="/knowledge">{t('knowledge.back')}</Link>}
      extra={
        a && (
          <>
            <Button
              icon={a.markedUseful ? <LikeFilled /> : <LikeOutlined />}
              type={a.markedUseful ? 'primary' : 'default'}
              loading={useful.isPending}
              onClick={() => useful.mutateAsync(!a.markedUseful).catch(toast)}
              data-testid="knowledge-useful"
            >
              {t('knowledge.useful')} {a.usefulCount}
            </Button>
            {a.writable && !a.archivedAt && (
              <Button onClick={() => setEditing(true)} data-testid="knowledge-edit">
                {t('common.edit')}
              </Button>
            )}
            {a.writable && a.stale && (
              <Button onClick={() => reviewed.mutateAsync(undefined).catch(toast)} loading={reviewed.isPending}>
                {t('knowledge.markReviewed')}
              </Button>
            )}
            {a.writable &&
              (a.archivedAt ? (
                <Button onClick={() => archive.mutateAsync(false).catch(toast)} loading={archive.isPending}>
                  {t('knowledge.unarchive')}
                </Button>
              ) : (
                <Popconfirm
                  title={t('knowledge.archive')}
                  description={<div style={{ maxWidth: 300 }}>{t('knowledge.archiveConfirm')}</div>}
                  onConfirm={() =>
                    archive.mutateAsync(true).then(() => void message.success(t('knowledge.archived')), toast)
                  }
                >
                  <Button danger loading={archive.isPending}>
                    {t('knowledge.archive')}
                  </Button>
                </Popconfirm>
              ))}
          </>
        )
      }
    >
      <Loaded query={query}>
        {() => (
          <Flex gap={16} vertical={mobile} align="flex-start">
            <Card style={{ flex: 1, minWidth: 0, width: mobile ? '100%' : undefined }}>
              <Flex gap={4} wrap style={{ marginBottom: 12 }}>
                <KindTag kind={a!.kind} />
                {a!.stale && <StaleTag />}
                {a!.archivedAt && <Tag>{t('knowledge.archived')}</Tag>}
                {a!.templateUse && <Tag>{t(`knowledge.templateUse.${a!.templateUse}`)}</Tag>}
                {a!.tags.map((tag) => (
                  <Tag key={tag} style={{ marginInlineEnd: 0 }}>
                    {tag}
                  </Tag>
                ))}
              </Flex>
              <Markdown source={a!.body} data-testid="knowledge-body" />
            </Card>
            <Flex vertical gap={16} style={{ width: mobile ? '100%' : 320, flexShrink: 0 }}>
              <Card size="small">
                <Descriptions
                  size="small"
                  column={1}
                  items={[
                    {
                      key: 'lines',
                      label: t('knowledge.businessLines'),
                      children: a!.businessLines.map((l) => l.name).join('、') || '—',
                    },
                    { key: 'owner', label: t('knowledge.owner'), children: a!.owner.name },
                    { key: 'author', label: t('knowledge.author'), children: a!.author?.name ?? '—' },
                    { key: 'review', label: t('knowledge.reviewOn'), children: a!.reviewOn ?? '—' },
                    {
                      key: 'visibility',
                      label: t('knowledge.visibility'),
                      children:
                        t(`knowledge.visibility.${a!.visibility}`) +
                        (a!.departmentName ? `（${a!.departmentName}）` : ''),
                    },
                    {
                      key: 'views',
                      label: t('knowledge.views'),
                      children: <span data-testid="knowledge-views">{a!.viewCount}</span>,
                    },
                    {
                      key: 'version',
                      label: t('knowledge.history'),
                      children: t('knowledge.version', { version: a!.version }),
                    },
                  ]}
                />
              </Card>
              <LinksCard article={a!} />
              {a!.attachments.length > 0 && (
                <Card size="small" title={t('knowledge.attachments')}>
                  <Flex vertical gap={4}>
                    {a!.attachments.map((f) => (
                      <a key={f.id} href={knowledgeApi.fileUrl(a!.id, f.id)} download={f.filename}>
                        <PaperClipOutlined /> {f.filename}
                      </a>
                    ))}
                  </Flex>
                </Card>
              )}
              <Card size="small" title={t('knowledge.history')}>
                <Loaded query={versions}>
                  {() => (
                    <List
                      size="small"
                      dataSource={versions.data!.items}
                      data-testid="knowledge-versions"
                      renderItem={(v) => (
                        <List.Item
                          actions={[
                            v.version === a!.version ? (
                              <Typography.Text type="secondary" key="current">
                                {t('knowledge.current')}
                              </Typography.Text>
                            ) : (
                              <Button type="link" size="small" key="view" onClick={() => setViewing(v.version)}>
                                {t('knowledge.viewVersion')}
                              </Button>
                            ),
                          ]}
                        >
                          <List.Item.Meta
                            title={t('knowledge.version', { version: v.version })}
                            description={
                              <>
                                <div>
                                  {v.changedBy?.name ?? '—'} · {dayjs(v.changedAt).format('YYYY-MM-DD HH:mm')}
                                </div>
                                {v.note && <div>{v.note}</div>}
                              </>
                            }
                          />
                        </List.Item>
                      )}
                    />
                  )}
                </Loaded>
              </Card>
            </Flex>
          </Flex>
        )}
      </Loaded>
      <Drawer
        open={viewing !== null}
        onClose={() => setViewing(null)}
        size={mobile ? '100%' : 760}
        title={old.data ? t('knowledge.versionTitle', { version: old.data.version, title: old.data.title }) : ''}
        destroyOnHidden
      >
        <Loaded query={old}>{() => <Markdown source={old.data!.body} data-testid="knowledge-old-body" />}</Loaded>
      </Drawer>
      {a && a.writable && (
        <ArticleEditor
          key={`${a.id}:${a.version}:${editing}`}
          open={editing}
          article={a}
          onClose={() => setEditing(false)}
        />
      )}
    </PageContainer>
  );
}
