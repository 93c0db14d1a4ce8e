import { BookOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { App, Button, Form, Input, Modal, Radio, Tag, Typography } from 'antd';
import { useState } from 'react';
import type { LessonInput } from '../../../common/schemas/knowledge-capture';
import { useWrite } from '../../api/queries';
import { useErrorToast, useFormSubmitError, type FormFields } from '../../components/errors';
import { MoneyInput } from '../../components/MoneyInput';
import { Link } from 'react-router';
import { can, useMe } from '../../auth/session';
import { useT } from '../../i18n';
import { articleUrl, captureApi } from './api';

export type LessonTarget = { id: string; name: string; outcome: 'won' | 'lost'; competitor?: string | null };

type Values = {
  worked?: string;
  improve?: string;
  competitor?: string;
  price?: string | null;
  visibility: LessonInput['visibility'];
};
const FIELDS: FormFields = { names: ['worked', 'improve', 'competitor', 'price', 'visibility'] };
/** Reads that change when a lesson is written or skipped (the opportunity's lesson state, the knowledge lists). */
const INVALIDATES = [captureApi.path, '/api/v1/opportunities'];

/**
 * The lesson 复盘 asked for right after an opportunity is won or lost: what worked, what to do differently, the
 * competitor and the price (exact), who may read it — or one click to skip. Closing it without either leaves the
 * lesson "not answered" (it can be written later from the opportunity).
 */
export function LessonModal({ target, onClose }: { target: LessonTarget | null; onClose: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const [form] = Form.useForm<Values>();
  const onError = useFormSubmitError(form, FIELDS);
  const [skipping, setSkipping] = useState(false);
  const save = useWrite(
    (v: Values) =>
      captureApi.writeLesson(target!.id, {
        worked: v.worked?.trim() || null,
        improve: v.improve?.trim() || null,
        competitor: v.competitor?.trim() || null,
        price: v.price || null,
        visibility: v.visibility,
      }),
    INVALIDATES,
  );
  const skip = useWrite(() => captureApi.skipLesson(target!.id), INVALIDATES);
  if (!target) return null;

  const submit = async (values: Values) => {
    try {
      await save.mutateAsync(values);
      void message.success(t('capture.lessonSaved'));
      onClose();
    } catch (error) {
      onError(error);
    }
  };
  const onSkip = async () => {
    setSkipping(true);
    try {
      await skip.mutateAsync(undefined);
      void message.success(t('capture.lessonSkipped'));
      onClose();
    } catch (error) {
      toast(error);
    } finally {
      setSkipping(false);
    }
  };

  return (
    <Modal
      open
      width={600}
      title={t('capture.lessonTitle', { name: target.name })}
      onCancel={onClose}
      destroyOnHidden
      data-testid="lesson-modal"
      footer={[
        <Button key="skip" onClick={onSkip} loading={skipping} data-testid="lesson-skip">
          {t('capture.skip')}
        </Button>,
        <Button
          key="save"
          type="primary"
          loading={save.isPending}
          onClick={() => form.submit()}
          data-testid="lesson-submit"
        >
          {t('capture.saveLesson')}
        </Button>,
      ]}
    >
      <Typography.Paragraph type="secondary">{t(`capture.lessonIntro.${target.outcome}`)}</Typography.Paragraph>
      <Form<Values>
        form={form}
        layout="vertical"
        name="lesson"
        initialValues={{ visibility: 'firm', competitor: target.competitor ?? undefined }}
        onFinish={submit}
      >
        <Form.Item
          name="worked"
          label={t('capture.worked')}
          dependencies={['improve']}
          rules={[
            { max: 2000 },
            ({ getFieldValue }) => ({
              validator: async (_, value?: string) => {
                if (!value?.trim() && !(getFieldValue('improve') as string | undefined)?.trim())
                  throw new Error(t('capture.workedOrImprove'));
              },
            }),
          ]}
        >
          <Input.TextArea rows={3} autoFocus placeholder={t('capture.workedPlaceholder')} data-testid="lesson-worked" />
        </Form.Item>
        <Form.Item name="improve" label={t('capture.improve')} rules={[{ max: 2000 }]}>
          <Input.TextArea rows={3} placeholder={t('capture.improvePlaceholder')} data-testid="lesson-improve" />
        </Form.Item>
        <Form.Item name="competitor" label={t('capture.competitor')} rules={[{ max: 200 }]}>
          <Input placeholder={t('capture.competitorPlaceholder')} />
        </Form.Item>
        <Form.Item name="price" label={t('capture.price')} extra={t('capture.priceHint')}>
          <MoneyInput style={{ width: '100%', maxWidth: 240 }} />
        </Form.Item>
        <Form.Item name="visibility" label={t('capture.visibility')} extra={t('capture.visibilityHint')}>
          <Radio.Group>
            <Radio value="firm">{t('capture.visibility.firm')}</Radio>
            <Radio value="linked">{t('capture.visibility.linked')}</Radio>
          </Radio.Group>
        </Form.Item>
      </Form>
    </Modal>
  );
}

/**
 * On a won or lost opportunity: the lesson of its current closing — a link to it when written, "skipped", or a
 * 写复盘 button (the same modal) when it was not answered yet.
 */
export function LessonButton({
  opportunity: o,
  editable,
}: {
  opportunity: { id: string; name: string; status: string; closedAt: string | null; competitor: string | null };
  editable: boolean;
}) {
  const t = useT();
  const me = useMe();
  const [open, setOpen] = useState(false);
  const closed = o.status === 'won' || o.status === 'lost';
  const prompt = useQuery({
    queryKey: [captureApi.path, 'lesson', o.id, o.closedAt],
    queryFn: () => captureApi.lesson(o.id),
    enabled: closed,
  });
  if (!closed || !prompt.data) return null;
  if (prompt.data.status === 'written' && prompt.data.articleId)
    return (
      <Link to={articleUrl(prompt.data.articleId)} data-testid="lesson-link">
        <Button icon={<BookOutlined />}>{t('capture.lessonWritten')}</Button>
      </Link>
    );
  if (prompt.data.status === 'skipped') return <Tag data-testid="lesson-skipped">{t('capture.lessonWasSkipped')}</Tag>;
  if (prompt.data.status !== 'unanswered' || !editable || !can(me, 'knowledge:write')) return null;
  return (
    <>
      <Button icon={<BookOutlined />} onClick={() => setOpen(true)} data-testid="lesson-write">
        {t('capture.writeLesson')}
      </Button>
      <LessonModal
        target={open ? { id: o.id, name: o.name, outcome: o.status as 'won' | 'lost', competitor: o.competitor } : null}
        onClose={() => setOpen(false)}
      />
    </>
  );
}
