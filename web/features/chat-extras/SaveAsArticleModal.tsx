import { Button, Form, Input, Modal, Result, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { useWrite } from '../../api/queries';
import { useFormSubmitError } from '../../components/errors';
import { useT } from '../../i18n';
import { chatExtrasApi } from './api';
import { proposedTitle } from './logic';

type Values = { title: string; question?: string };
const FIELDS = { names: ['title', 'question'] as const };

/**
 * 存为知识文章: a good answer in the chat becomes a Q&A 问答 article — a title (proposed from the message) and the
 * question (left empty: the message it replies to); then a link to the article.
 */
export function SaveAsArticleModal({
  open,
  conversationId,
  message,
  onClose,
}: {
  open: boolean;
  conversationId: string;
  message: { id: string; body: string };
  onClose: () => void;
}) {
  const t = useT();
  const [form] = Form.useForm<Values>();
  const onError = useFormSubmitError(form, FIELDS);
  const [articleId, setArticleId] = useState<string | null>(null);
  const save = useWrite(
    (values: Values) =>
      chatExtrasApi.saveAsArticle(conversationId, message.id, {
        title: values.title.trim(),
        question: values.question?.trim() || undefined,
      }),
    ['/api/v1/knowledge'],
  );
  const close = () => {
    setArticleId(null);
    onClose();
  };
  return (
    <Modal
      open={open}
      title={t('chatExtras.save.title')}
      onCancel={close}
      destroyOnHidden
      footer={
        articleId
          ? null
          : [
              <Button key="cancel" onClick={close}>
                {t('common.cancel')}
              </Button>,
              <Button
                key="ok"
                type="primary"
                loading={save.isPending}
                onClick={() => form.submit()}
                data-testid="chat-save-article-submit"
              >
                {t('chatExtras.save.submit')}
              </Button>,
            ]
      }
      data-testid="chat-save-article"
    >
      {articleId ? (
        <Result
          status="success"
          title={t('chatExtras.save.done')}
          extra={
            <Link to={`/knowledge/${articleId}`} onClick={close} data-testid="chat-save-article-link">
              <Button type="primary">{t('chatExtras.save.open')}</Button>
            </Link>
          }
        />
      ) : (
        <Form<Values>
          form={form}
          layout="vertical"
          initialValues={{ title: proposedTitle(message.body) }}
          onFinish={(values) => save.mutateAsync(values).then((saved) => setArticleId(saved.articleId), onError)}
        >
          <Typography.Paragraph type="secondary">{t('chatExtras.save.hint')}</Typography.Paragraph>
          <Form.Item
            name="title"
            label={t('chatExtras.save.articleTitle')}
            rules={[
              {
                required: true,
                whitespace: true,
                message: t('form.required', { field: t('chatExtras.save.articleTitle') }),
              },
            ]}
          >
            <Input maxLength={200} data-testid="chat-save-article-title" />
          </Form.Item>
          <Form.Item name="question" label={t('chatExtras.save.question')}>
            <Input.TextArea
              rows={3}
              maxLength={10_000}
              placeholder={t('chatExtras.save.questionPlaceholder')}
              data-testid="chat-save-article-question"
            />
          </Form.Item>
          <Form.Item label={t('chatExtras.save.answer')} style={{ marginBottom: 0 }}>
            <Typography.Paragraph
              ellipsis={{ rows: 4, expandable: true }}
              style={{
                marginBottom: 0,
                padding: '8px 12px',
                background: 'rgba(0,0,0,0.03)',
                borderRadius: 6,
                wordBreak: 'break-word',
                whiteSpace: 'pre-wrap',
              }}
            >
              {message.body}
            </Typography.Paragraph>
          </Form.Item>
        </Form>
      )}
    </Modal>
  );
}
