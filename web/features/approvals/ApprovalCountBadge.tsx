import { useQuery } from '@tanstack/react-query';
import { Badge } from 'antd';
import { approvalsApi } from '../../api/resources';

/**
 * How many approvals wait for me (also through delegation). The live channel refreshes it when a step
 * reaches me (web/api/live.ts), and every decision does (DECISION_INVALIDATES).
 */
export function useApprovalCount() {
  return useQuery({
    queryKey: [approvalsApi.path, 'count'],
    queryFn: approvalsApi.count,
    refetchInterval: 5 * 60_000,
  });
}

/** The count beside 审批 in the menu (nothing while none wait). */
export function ApprovalCountBadge() {
  const count = useApprovalCount().data ?? 0;
  return (
    <Badge
      count={count}
      size="small"
      overflowCount={99}
      style={{ marginInlineStart: 8 }}
      data-testid="approval-count"
      data-count={count}
    />
  );
}
