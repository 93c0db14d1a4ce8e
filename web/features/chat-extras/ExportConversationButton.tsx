import { DownloadOutlined } from '@ant-design/icons';
import { App, Button, Dropdown } from 'antd';
import { useState } from 'react';
import { can, useMe } from '../../auth/session';
import { useErrorToast } from '../../components/errors';
import { firmToday } from '../../components/format';
import { useT } from '../../i18n';
import { chatExtrasApi } from './api';
import { exportFilename } from './logic';

/** Hands a file to the browser's downloads under its name. */
function save(blob: Blob, filename: string) {
  const href = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = href;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

/**
 * 导出会话 (chat:manage only, e.g. for a dispute): the whole conversation as .xlsx or text. The file is fetched
 * first, so a refusal is said in a toast with the server's reason instead of being saved as the file.
 */
export function ExportConversationButton({
  conversationId,
  title,
  size,
}: {
  conversationId: string;
  /** The conversation's title, for the file's name when the server names none. */
  title: string;
  size?: 'small' | 'middle';
}) {
  const t = useT();
  const me = useMe();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const [busy, setBusy] = useState(false);
  if (!can(me, 'chat:manage')) return null;
  const download = async (format: 'xlsx' | 'text') => {
    setBusy(true);
    try {
      const file = await chatExtrasApi.export(conversationId, format);
      save(file.blob, file.filename ?? exportFilename(title, format, firmToday()));
      void message.success(t('chatExtras.export.done'));
    } catch (error) {
      toast(error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dropdown
      trigger={['click']}
      menu={{
        items: [
          { key: 'xlsx', label: t('chatExtras.export.xlsx'), onClick: () => void download('xlsx') },
          { key: 'text', label: t('chatExtras.export.text'), onClick: () => void download('text') },
        ],
      }}
    >
      <Button size={size} icon={<DownloadOutlined />} loading={busy} data-testid="chat-export">
        {t('chatExtras.export')}
      </Button>
    </Dropdown>
  );
}
