import { Empty, Typography } from 'antd';
import type { ReactNode } from 'react';

/** An empty list: what is missing, and what to do about it. */
export function EmptyState({ title, hint, action }: { title: ReactNode; hint?: ReactNode; action?: ReactNode }) {
  return (
    <Empty
      image={Empty.PRESENTED_IMAGE_SIMPLE}
      description={
        <>
          <Typography.Text>{title}</Typography.Text>
          {hint && (
            <Typography.Text type="secondary" style={{ display: 'block' }}>
              {hint}
            </Typography.Text>
          )}
        </>
      }
    >
      {action}
    </Empty>
  );
}
