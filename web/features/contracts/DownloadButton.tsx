import { DownloadOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import { useState, type ReactNode } from 'react';
import { apiFile } from '../../api/client';
import { useErrorToast } from '../../components/errors';
import { saveFile } from '../../components/save-file';

/**
 * A download that the server may refuse (the contract's document when its business line has no published
 * template): the file is fetched first, so a refusal is said in a toast with the server's reason instead of
 * being saved as the file.
 */
export function DownloadButton({
  url,
  filename,
  children,
  'data-testid': testId,
}: {
  url: string;
  /** Used when the server names no file. */
  filename: string;
  children: ReactNode;
  'data-testid'?: string;
}) {
  const toast = useErrorToast();
  const [busy, setBusy] = useState(false);
  return (
    <Button
      type="link"
      icon={<DownloadOutlined />}
      loading={busy}
      style={{ padding: 0, height: 'auto', alignSelf: 'flex-start' }}
      data-testid={testId}
      onClick={async () => {
        setBusy(true);
        try {
          const file = await apiFile(url);
          saveFile(file.blob, file.filename ?? filename);
        } catch (error) {
          toast(error);
        } finally {
          setBusy(false);
        }
      }}
    >
      {children}
    </Button>
  );
}
