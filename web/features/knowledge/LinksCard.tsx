import { CloseOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { App, Button, Card, Flex, Modal, Popconfirm, Select, Tooltip, Typography, type ButtonProps } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { KNOWLEDGE_LINK_TYPES, type KnowledgeArticle, type KnowledgeLinkType } from '../../../common/schemas/knowledge';
import { api } from '../../api/client';
import { useWrite } from '../../api/queries';
import { useErrorToast } from '../../components/errors';
import { useDebounced } from '../../components/use-debounced';
import { useT } from '../../i18n';
import { knowledgeApi } from './api';
import { KNOWLEDGE_INVALIDATES } from './knowledge-ui';

const LINK_PATHS: Record<KnowledgeLinkType, string> = {
  customer: '/customers',
  opportunity: '/opportunities',
  engagement: '/engagements',
  article: '/knowledge',
};

/** Each kind of record's list, searched by q (the list's own visibility: only what the writer sees is offered). */
const SEARCH: Record<KnowledgeLinkType, { path: string; label: (row: Record<string, string>) => string }> = {
  customer: { path: '/api/v1/customers', label: (r) => r.name },
  opportunity: { path: '/api/v1/opportunities', label: (r) => r.name },
  engagement: { path: '/api/v1/engagements', label: (r) => r.title },
  article: { path: '/api/v1/knowledge', label: (r) => r.title },
};

/** A record of one kind found as one types. */
function RecordSearch({
  type,
  exclude,
  value,
  onChange,
}: {
  type: KnowledgeLinkType;
  exclude: string;
  value?: string;
  onChange: (id: string) => void;
}) {
  const t = useT();
  const [q, setQ] = useState('');
  const debounced = useDebounced(q.trim(), 300);
  const found = useQuery({
    queryKey: [SEARCH[type].path, 'link-search', type, debounced],
    queryFn: () =>
      api<{ items: Record<string, string>[] }>(SEARCH[type].path, {
        query: { q: debounced || undefined, pageSize: 20 },
      }),
  });
  const options = (found.data?.items ?? [])
    .filter((r) => r.id !== exclude)
    .map((r) => ({ value: r.id, label: SEARCH[type].label(r) }));
  return (
    <Select
      showSearch={{ filterOption: false, onSearch: setQ }}
      value={value}
      onChange={onChange}
      placeholder={t('knowledge.linkSearch')}
      loading={found.isFetching}
      options={options}
      notFoundContent={
        found.isFetching ? null : found.isError ? (
          <Typography.Text type="danger" data-testid="load-error">
            {t('knowledge.linkSearchFailed')}
          </Typography.Text>
        ) : (
          t('knowledge.linkNone')
        )
      }
      style={{ width: '100%' }}
      data-testid="knowledge-link-record"
    />
  );
}

/**
 * 关联记录: the customers, opportunities, engagements and articles an article is about. A record the reader cannot see
 * is "不可查看", untitled; its writers add links (to records they see) and remove them.
 */
export function LinksCard({ article }: { article: KnowledgeArticle }) {
  const t = useT();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const [adding, setAdding] = useState(false);
  const [type, setType] = useState<KnowledgeLinkType>('customer');
  const [target, setTarget] = useState<string>();
  const add = useWrite(
    (link: { type: KnowledgeLinkType; id: string }) => knowledgeApi.addLink(article.id, link),
    KNOWLEDGE_INVALIDATES,
  );
  const remove = useWrite((targetId: string) => knowledgeApi.removeLink(article.id, targetId), KNOWLEDGE_INVALIDATES);
  const editable = article.writable && article.archivedAt === null;
  const close = () => {
    setAdding(false);
    setTarget(undefined);
  };
  return (
    <Card
      size="small"
      title={t('knowledge.links')}
      extra={
        editable && (
          <Button size="small" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="knowledge-link-add">
            {t('knowledge.linkAdd')}
          </Button>
        )
      }
    >
      {article.links.length === 0 ? (
        <Typography.Text type="secondary">{t('knowledge.noLinks')}</Typography.Text>
      ) : (
        <Flex vertical gap={8} data-testid="knowledge-links">
          {article.links.map((l) => (
            <Card key={`${l.type}:${l.id}`} size="small" data-testid="knowledge-link">
              <Flex justify="space-between" align="start" gap={8}>
                <div style={{ minWidth: 0 }}>
                  <Typography.Text type="secondary">{t(`knowledge.link.${l.type}`)}</Typography.Text>
                  <div style={{ wordBreak: 'break-word' }}>
                    {l.available ? (
                      <Link to={`${LINK_PATHS[l.type]}/${l.id}`}>{l.title}</Link>
                    ) : (
                      <Tooltip title={t('knowledge.linkUnavailableHint')}>
                        <Typography.Text type="secondary" data-testid="knowledge-link-unavailable">
                          {t('knowledge.linkUnavailable')}
                        </Typography.Text>
                      </Tooltip>
                    )}
                  </div>
                </div>
                {editable && (
                  <Popconfirm
                    title={t('knowledge.linkRemoveConfirm')}
                    onConfirm={() =>
                      remove.mutateAsync(l.id).then(() => void message.success(t('knowledge.linkRemoved')), toast)
                    }
                  >
                    <Button
                      type="text"
                      size="small"
                      icon={<CloseOutlined />}
                      aria-label={t('knowledge.linkRemove')}
                      data-testid="knowledge-link-remove"
                    />
                  </Popconfirm>
                )}
              </Flex>
            </Card>
          ))}
        </Flex>
      )}
      <Modal
        open={adding}
        title={t('knowledge.linkAdd')}
        okText={t('knowledge.linkAdd')}
        okButtonProps={{
          disabled: !target,
          loading: add.isPending,
          ...({ 'data-testid': 'knowledge-link-submit' } as ButtonProps),
        }}
        onOk={() =>
          add.mutateAsync({ type, id: target! }).then(() => {
            void message.success(t('knowledge.linkAdded'));
            close();
          }, toast)
        }
        onCancel={close}
        destroyOnHidden
      >
        <Flex vertical gap={12}>
          <Select
            value={type}
            onChange={(v: KnowledgeLinkType) => {
              setType(v);
              setTarget(undefined);
            }}
            options={KNOWLEDGE_LINK_TYPES.map((k) => ({ value: k, label: t(`knowledge.link.${k}`) }))}
            data-testid="knowledge-link-type"
          />
          <RecordSearch key={type} type={type} exclude={article.id} value={target} onChange={setTarget} />
        </Flex>
      </Modal>
    </Card>
  );
}
