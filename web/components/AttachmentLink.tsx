import { PaperClipOutlined } from '@ant-design/icons';
import { Typography } from 'antd';
import type { Attachment } from '../../common/schemas/files';

/** A stored document as a download link: its name and size. */
export function AttachmentLink({ href, attachment }: { href: string; attachment: Attachment }) {
  return (
    <Typography.Link href={href} download={attachment.filename}>
      <PaperClipOutlined /> {attachment.filename}{' '}
      <Typography.Text type="secondary">({Math.max(1, Math.round(attachment.size / 1024))} KB)</Typography.Text>
    </Typography.Link>
  );
}
