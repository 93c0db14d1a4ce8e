import { Tag } from 'antd';
import type { KnowledgeKind } from '../../../common/schemas/knowledge';
import { useT } from '../../i18n';

/** One colour per kind, the same on every page. */
export const KIND_COLORS: Record<KnowledgeKind, string> = {
  experience: 'blue',
  case: 'purple',
  template: 'cyan',
  policy: 'red',
  qa: 'gold',
  insight: 'green',
  lesson: 'magenta',
};

export function KindTag({ kind }: { kind: KnowledgeKind }) {
  const t = useT();
  return (
    <Tag color={KIND_COLORS[kind]} style={{ marginInlineEnd: 0 }} data-testid="knowledge-kind">
      {t(`knowledge.kind.${kind}`)}
    </Tag>
  );
}

export function StaleTag() {
  const t = useT();
  return (
    <Tag color="warning" style={{ marginInlineEnd: 0 }} data-testid="knowledge-stale">
      {t('knowledge.stale')}
    </Tag>
  );
}

/** Every cached read of the knowledge base: refreshed after a change. */
export const KNOWLEDGE_INVALIDATES = ['/api/v1/knowledge'];
