import { CloseOutlined, LoadingOutlined, PaperClipOutlined, SendOutlined } from '@ant-design/icons';
import { Alert, Button, Flex, Mentions, Tag, Tooltip, Typography } from 'antd';
import { useRef, useState } from 'react';
import { MESSAGE_MAX_CHARS, MESSAGE_MAX_FILES, type ConversationMember } from '../../../common/schemas/chat';
import { MAX_FILE_BYTES, type Attachment } from '../../../common/schemas/files';
import { sendChatFrame } from '../../api/chat-live';
import { errorText } from '../../components/errors';
import { useT } from '../../i18n';
import { chatApi } from './api';
import { extractLinks, extractMentions, shouldSendTyping } from './chat-logic';

export type Outgoing = {
  body: string;
  mentions: string[];
  mentionAll: boolean;
  links: { type: 'customer' | 'opportunity' | 'engagement' | 'contract' | 'article'; id: string }[];
  files: Attachment[];
};

type Upload = { key: string; name: string; file?: Attachment; error?: string };

type Props = {
  conversationId: string;
  members: ConversationMember[];
  myId: string;
  /** @所有人 is offered (a department channel). */
  allowMentionAll: boolean;
  /** Why one cannot post (the composer is disabled and says so), or null. */
  disabledReason: string | null;
  placeholder: string;
  mobile: boolean;
  onSend: (message: Outgoing) => void;
  autoFocus?: boolean;
};

/** The text of the textarea before the caret. */
function beforeCaret(element: HTMLTextAreaElement): string {
  return element.value.slice(0, element.selectionStart ?? element.value.length);
}

/**
 * Writing a message: Enter sends (Shift+Enter a new line; a phone's send button), @ picks a member (the text gets
 * @姓名, the message its id), files are uploaded first and sent with the message, record addresses become cards.
 */
export function Composer({
  conversationId,
  members,
  myId,
  allowMentionAll,
  disabledReason,
  placeholder,
  mobile,
  onSend,
  autoFocus,
}: Props) {
  const t = useT();
  const [text, setText] = useState('');
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const lastTyping = useRef(0);
  const fileInput = useRef<HTMLInputElement>(null);
  const allToken = t('chat.mentionAll');
  const others = members.filter((m) => m.id !== myId);
  const options = [
    ...(allowMentionAll
      ? [
          {
            key: 'all',
            value: allToken,
            label: <span data-testid="chat-mention-option">{`@${allToken} · ${t('chat.mentionAllHint')}`}</span>,
          },
        ]
      : []),
    ...others.map((m) => ({
      key: m.id,
      value: m.name,
      label: <span data-testid="chat-mention-option">{m.name}</span>,
    })),
  ];
  const uploading = uploads.some((u) => !u.file && !u.error);
  const disabled = disabledReason !== null;

  const typing = () => {
    const now = Date.now();
    if (!shouldSendTyping(lastTyping.current, now)) return;
    lastTyping.current = now;
    sendChatFrame({ type: 'typing', conversationId });
  };

  const send = () => {
    const body = text.trim();
    const files = uploads.flatMap((u) => (u.file ? [u.file] : []));
    if (disabled || uploading || (!body && files.length === 0)) return;
    if (body.length > MESSAGE_MAX_CHARS) {
      setProblem(t('chat.tooLong', { max: MESSAGE_MAX_CHARS, count: body.length }));
      return;
    }
    const { mentions, mentionAll } = extractMentions(body, others, allowMentionAll ? [allToken] : []);
    onSend({ body, mentions, mentionAll, links: extractLinks(body), files });
    setText('');
    setUploads([]);
    setProblem(null);
    lastTyping.current = 0;
  };

  const attach = (list: FileList | null) => {
    if (!list) return;
    const chosen = Array.from(list);
    if (uploads.length + chosen.length > MESSAGE_MAX_FILES) {
      setProblem(t('chat.tooManyFiles', { count: MESSAGE_MAX_FILES }));
      return;
    }
    setProblem(null);
    for (const file of chosen) {
      const key = `${Date.now()}-${Math.random()}`;
      if (file.size > MAX_FILE_BYTES) {
        setUploads((list) => [
          ...list,
          {
            key,
            name: file.name,
            error: t('chat.attachTooBig', { name: file.name, mb: MAX_FILE_BYTES / 1024 / 1024 }),
          },
        ]);
        continue;
      }
      setUploads((list) => [...list, { key, name: file.name }]);
      chatApi.upload(conversationId, file).then(
        (stored) => setUploads((list) => list.map((u) => (u.key === key ? { ...u, file: stored } : u))),
        (failure: unknown) =>
          setUploads((list) => list.map((u) => (u.key === key ? { ...u, error: errorText(t, failure) } : u))),
      );
    }
  };

  if (disabled)
    return <Alert type="info" showIcon title={disabledReason} style={{ margin: 8 }} data-testid="chat-cannot-post" />;

  return (
    <div
      style={{ borderTop: '1px solid #f0f0f0', padding: mobile ? 6 : 8, background: '#fff' }}
      data-testid="chat-composer-box"
    >
      {uploads.length > 0 && (
        <Flex gap={4} wrap style={{ marginBottom: 6 }}>
          {uploads.map((u) => (
            <Tooltip key={u.key} title={u.error}>
              <Tag
                color={u.error ? 'error' : u.file ? 'default' : 'processing'}
                icon={!u.file && !u.error ? <LoadingOutlined /> : <PaperClipOutlined />}
                closable
                closeIcon={<CloseOutlined />}
                onClose={() => setUploads((list) => list.filter((x) => x.key !== u.key))}
                style={{ maxWidth: 220, overflow: 'hidden', textOverflow: 'ellipsis' }}
                data-testid="chat-upload"
              >
                {u.name}
              </Tag>
            </Tooltip>
          ))}
        </Flex>
      )}
      <Flex gap={6} align="flex-end">
        <Tooltip title={t('chat.attach')}>
          <Button
            type="text"
            icon={<PaperClipOutlined />}
            aria-label={t('chat.attach')}
            onClick={() => fileInput.current?.click()}
            data-testid="chat-attach"
          />
        </Tooltip>
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          onChange={(event) => {
            attach(event.target.files);
            event.target.value = '';
          }}
          data-testid="chat-file-input"
        />
        <Mentions
          value={text}
          onChange={(value) => {
            setText(value);
            if (value) typing();
          }}
          options={options}
          prefix="@"
          placement="top"
          autoSize={{ minRows: 1, maxRows: mobile ? 4 : 8 }}
          placeholder={placeholder}
          autoFocus={autoFocus}
          style={{ flex: 1 }}
          onKeyDown={(event) => {
            if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing || mobile) return;
            const before = beforeCaret(event.target as HTMLTextAreaElement);
            const measuring = /@([^\s@]*)$/.exec(before);
            // While the member list is open, Enter picks the highlighted member.
            if (measuring && options.some((o) => o.value.toLowerCase().includes(measuring[1].toLowerCase()))) return;
            event.preventDefault();
            send();
          }}
          aria-label={placeholder}
          data-testid="chat-composer"
        />
        <Button
          type="primary"
          icon={<SendOutlined />}
          onClick={send}
          disabled={uploading || (!text.trim() && !uploads.some((u) => u.file))}
          aria-label={t('chat.send')}
          data-testid="chat-send"
        >
          {mobile ? null : t('chat.send')}
        </Button>
      </Flex>
      {(problem || uploading) && (
        <Typography.Text
          type={problem ? 'danger' : 'secondary'}
          style={{ fontSize: 12, display: 'block', marginTop: 4 }}
          role={problem ? 'alert' : undefined}
        >
          {problem ?? t('chat.uploading')}
        </Typography.Text>
      )}
    </div>
  );
}
