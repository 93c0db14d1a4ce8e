import { CheckOutlined, CloseOutlined } from '@ant-design/icons';
import { App, Button, Flex, Popconfirm, Tag } from 'antd';
import { lazy, Suspense, useState } from 'react';
import { useNavigate } from 'react-router';
import type { CrossSellSuggestion } from '../../../common/schemas/cross-sell';
import { isApiError } from '../../api/client';
import { useWrite } from '../../api/queries';
import { crossSellApi, customerStoryApi, opportunitiesApi, todayApi } from '../../api/resources';
import { useErrorToast } from '../../components/errors';
import { useT } from '../../i18n';

/** What an accept or a dismiss changes: the lists of suggestions, Today, the customer's story and opportunities. */
const TOUCHED = [crossSellApi.path, todayApi.path, customerStoryApi.path, opportunitiesApi.path];

/** The opportunity id a 409 CROSS_SELL_ALREADY_ACCEPTED names (details.opportunityId), if any. */
function acceptedOpportunity(error: unknown): string | null {
  if (!isApiError(error, 'CROSS_SELL_ALREADY_ACCEPTED')) return null;
  const details = error.details as { opportunityId?: unknown } | null | undefined;
  return typeof details?.opportunityId === 'string' ? details.opportunityId : null;
}

const STATUS_COLORS: Record<CrossSellSuggestion['status'], string> = {
  open: 'blue',
  accepted: 'green',
  dismissed: 'default',
  excluded: 'orange',
};

export function CrossSellStatusTag({ status }: { status: CrossSellSuggestion['status'] }) {
  const t = useT();
  return <Tag color={STATUS_COLORS[status]}>{t(`crossSell.status.${status}`)}</Tag>;
}

/** The score as a percentage tag ("80.0%"). */
export function ScoreTag({ score }: { score: string }) {
  const t = useT();
  return (
    <Tag color="geekblue" data-testid="cross-sell-score" style={{ marginInlineEnd: 0 }}>
      {t('crossSell.scoreValue', { score })}
    </Tag>
  );
}

/**
 * 忽略's dialog (why: not needed, another provider, later) is a chunk of its own, loaded on the first 忽略: its form
 * would otherwise come with every page that shows a suggestion — Today's first load among them.
 */
const DismissModal = lazy(() => import('./DismissModal').then((m) => ({ default: m.DismissModal })));

/**
 * 接受 / 忽略 for an open suggestion: accepting makes the opportunity (its source the suggestion) and opens it — a
 * suggestion someone accepted already opens that opportunity; dismissing asks why.
 */
export function CrossSellActions({
  suggestion,
  size = 'small',
}: {
  suggestion: CrossSellSuggestion;
  size?: 'small' | 'middle';
}) {
  const t = useT();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const navigate = useNavigate();
  const [dismissing, setDismissing] = useState(false);
  const accept = useWrite(() => crossSellApi.accept(suggestion.id, {}), TOUCHED);
  if (suggestion.status !== 'open') return null;
  const onAccept = () =>
    accept.mutateAsync(undefined).then(
      (answer) => {
        void message.success(t('crossSell.accepted'));
        if (answer.opportunityId) void navigate(`/opportunities/${answer.opportunityId}`);
      },
      (error: unknown) => {
        const existing = acceptedOpportunity(error);
        if (!existing) return toast(error);
        void message.info(t('crossSell.alreadyAccepted'));
        void navigate(`/opportunities/${existing}`);
      },
    );
  return (
    <Flex gap={4} wrap>
      <Popconfirm
        title={t('crossSell.acceptConfirm', { service: suggestion.businessLineName })}
        onConfirm={onAccept}
        okButtonProps={{ 'data-testid': 'cross-sell-accept-ok' }}
      >
        <Button
          size={size}
          type="primary"
          ghost
          icon={<CheckOutlined />}
          loading={accept.isPending}
          data-testid="cross-sell-accept"
        >
          {t('crossSell.accept')}
        </Button>
      </Popconfirm>
      <Button size={size} icon={<CloseOutlined />} onClick={() => setDismissing(true)} data-testid="cross-sell-dismiss">
        {t('crossSell.dismiss')}
      </Button>
      {dismissing && (
        <Suspense fallback={null}>
          <DismissModal suggestion={suggestion} touched={TOUCHED} onClose={() => setDismissing(false)} />
        </Suspense>
      )}
    </Flex>
  );
}
