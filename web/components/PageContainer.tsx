import { Flex, Typography } from 'antd';
import type { ReactNode } from 'react';

type Props = {
  title: ReactNode;
  /** One line under the title saying what the page is for. */
  hint?: ReactNode;
  /** Page-level actions, right-aligned (e.g. "New"). */
  extra?: ReactNode;
  children: ReactNode;
};

/** The frame of every page: a title row with actions, then the content. */
export function PageContainer({ title, hint, extra, children }: Props) {
  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="flex-start" gap={16} wrap>
        <div>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {title}
          </Typography.Title>
          {hint && (
            <Typography.Text type="secondary" style={{ display: 'block', marginTop: 4 }}>
              {hint}
            </Typography.Text>
          )}
        </div>
        {extra && (
          <Flex gap={8} wrap>
            {extra}
          </Flex>
        )}
      </Flex>
      {children}
    </Flex>
  );
}
