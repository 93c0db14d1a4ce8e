import { Flex, Spin } from 'antd';

/** The whole window waits (the session, the sign-in page's or the shell's code). */
export function FullPageSpin() {
  return (
    <Flex align="center" justify="center" style={{ minHeight: '100vh' }}>
      <Spin size="large" />
    </Flex>
  );
}
