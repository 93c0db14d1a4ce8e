import { DownloadOutlined } from '@ant-design/icons';
import { App, Button, Dropdown } from 'antd';
import { useState } from 'react';
import { can, useMe } from '../../auth/session';
import { useErrorToast } from '../../components/errors';
import { saveFile } from '../../components/save-file';
import { firmToday } from '../../components/format';
import { useT } from '../../i18n';
import { chatExtrasApi } from './api';
import { exportFilename } from './logic';

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
      saveFile(file.blob, file.filename ?? exportFilename(title, format, firmToday()));
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
