import { CheckSquareOutlined, FileTextOutlined, ReadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Card, Checkbox, Divider, Flex, List, Tag, Tooltip, Typography } from 'antd';
import { Link } from 'react-router';
import type { Guide } from '../../../common/schemas/playbooks';
import { useErrorToast } from '../../components/errors';
import { formatDateTime } from '../../components/format';
import { Loaded } from '../../components/QueryState';
import { useLocale, useT, type WebMessageKey } from '../../i18n';
import { CategoryTag } from '../activities/activity-ui';
import { guideKey, guidesApi, type GuideTarget } from './api';

const STATUS_COLORS: Record<string, string> = { planned: 'blue', done: 'green', cancelled: 'default' };

function ArticleLinks({ items, testId }: { items: Guide['articles']; testId: string }) {
  const t = useT();
  return (
    <Flex vertical gap={4} data-testid={testId}>
      {items.map((a) =>
        a.available ? (
          <Link key={a.id} to={`/knowledge/${a.id}`} data-testid={`${testId}-link`}>
            {a.title}
          </Link>
        ) : (
          <Typography.Text key={a.id} type="secondary">
            {t('guide.unavailable')}
          </Typography.Text>
        ),
      )}
    </Flex>
  );
}

/**
 * 销售指引 on an opportunity or a lead: the playbook of its current stage (or status) — the checklist with who ticked
 * what (ticking for those who work on the record), the activities it scheduled, and the templates and articles the
 * reader may open. Hidden when no playbook applies.
 */
export function GuidePanel({ target }: { target: GuideTarget }) {
  const t = useT();
  const { locale } = useLocale();
  const toast = useErrorToast();
  const queryClient = useQueryClient();
  const key = guideKey(target);
  const guide = useQuery({ queryKey: key, queryFn: () => guidesApi.get(target) });
  const tick = useMutation({
    mutationFn: (body: { itemId: string; done: boolean }) => guidesApi.tick(target, body),
    onSuccess: (data) => queryClient.setQueryData(key, data),
    onError: toast,
  });
  const g = guide.data;
  if (g && !g.playbookId) return null;
  return (
    <Card size="small" title={t('guide.title')} data-testid="guide-panel">
      <Loaded query={guide}>
        {() =>
          g && (
            <Flex vertical gap={8}>
              {g.checklist.length > 0 && (
                <>
                  <Typography.Text strong>
                    <CheckSquareOutlined /> {t('guide.checklist')}
                  </Typography.Text>
                  <Flex vertical gap={4} data-testid="guide-checklist">
                    {g.checklist.map((item) => (
                      <div key={item.id} data-testid="guide-item" data-done={item.done || undefined}>
                        <Tooltip
                          title={
                            item.done && item.doneBy
                              ? t('guide.tickedBy', { name: item.doneBy, at: formatDateTime(item.doneAt, locale) })
                              : undefined
                          }
                        >
                          <Checkbox
                            checked={item.done}
                            disabled={!g.writable || tick.isPending}
                            onChange={(e) => tick.mutate({ itemId: item.id, done: e.target.checked })}
                          >
                            {item.text}
                          </Checkbox>
                        </Tooltip>
                      </div>
                    ))}
                  </Flex>
                </>
              )}
              <Divider style={{ margin: '4px 0' }} />
              <Typography.Text strong>{t('guide.activities')}</Typography.Text>
              {g.activities.length === 0 ? (
                <Typography.Text type="secondary">{t('guide.noActivities')}</Typography.Text>
              ) : (
                <List
                  size="small"
                  split={false}
                  dataSource={g.activities}
                  data-testid="guide-activities"
                  renderItem={(a) => (
                    <List.Item style={{ paddingInline: 0 }} data-testid="guide-activity">
                      <Flex vertical gap={2} style={{ minWidth: 0, width: '100%' }}>
                        <Flex gap={6} align="center" wrap>
                          <CategoryTag category={a.category} />
                          <Typography.Text delete={a.status === 'cancelled'} style={{ minWidth: 0 }} ellipsis>
                            {a.subject}
                          </Typography.Text>
                          <Tag color={STATUS_COLORS[a.status]} variant="filled" style={{ marginInlineEnd: 0 }}>
                            {t(`guide.status.${a.status}` as WebMessageKey)}
                          </Tag>
                        </Flex>
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {a.ownerName}
                          {a.dueAt ? ` · ${t('guide.due', { at: formatDateTime(a.dueAt, locale) })}` : ''}
                        </Typography.Text>
                      </Flex>
                    </List.Item>
                  )}
                />
              )}
              {g.templates.length > 0 && (
                <>
                  <Divider style={{ margin: '4px 0' }} />
                  <Typography.Text strong>
                    <FileTextOutlined /> {t('guide.templates')}
                  </Typography.Text>
                  <ArticleLinks items={g.templates} testId="guide-templates" />
                </>
              )}
              {g.articles.length > 0 && (
                <>
                  <Divider style={{ margin: '4px 0' }} />
                  <Typography.Text strong>
                    <ReadOutlined /> {t('guide.articles')}
                  </Typography.Text>
                  <ArticleLinks items={g.articles} testId="guide-articles" />
                </>
              )}
            </Flex>
          )
        }
      </Loaded>
    </Card>
  );
}
