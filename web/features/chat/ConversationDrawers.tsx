import { useMutation, useQueryClient, type UseQueryResult } from '@tanstack/react-query';
import {
  App,
  Badge,
  Button,
  Checkbox,
  Drawer,
  Flex,
  Form,
  Input,
  List,
  Popconfirm,
  Radio,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import type { Conversation, ConversationMember } from '../../../common/schemas/chat';
import { useMe } from '../../auth/session';
import { FormDrawer } from '../../components/FormDrawer';
import { useErrorToast } from '../../components/errors';
import { LoadError } from '../../components/QueryState';
import { useIsMobile } from '../../components/responsive';
import { useT } from '../../i18n';
import { chatApi } from './api';
import { PeopleSelect } from './PeopleSelect';

const PRESENCE_COLOR = { online: '#52c41a', away: '#faad14', offline: '#d9d9d9' } as const;

/** A presence dot: online green, away amber, offline grey. */
export function PresenceDot({ presence }: { presence: ConversationMember['presence'] }) {
  const t = useT();
  return (
    <Badge
      color={PRESENCE_COLOR[presence]}
      title={t(`chat.presence.${presence}`)}
      aria-label={t(`chat.presence.${presence}`)}
      data-testid="chat-presence"
      data-presence={presence}
    />
  );
}

/** A conversation's people with their presence; adding and removing for its managers; leaving. */
export function MembersDrawer({
  open,
  onClose,
  conversation,
  members,
  onChanged,
}: {
  open: boolean;
  onClose: () => void;
  conversation: Conversation;
  members: UseQueryResult<ConversationMember[]>;
  onChanged: () => void;
}) {
  const t = useT();
  const me = useMe().user;
  const mobile = useIsMobile();
  const toast = useErrorToast();
  const navigate = useNavigate();
  const [adding, setAdding] = useState<string[]>([]);
  const manageable = conversation.mayManage && (conversation.kind === 'group' || conversation.kind === 'record');
  const change = useMutation({
    mutationFn: (body: { add?: string[]; remove?: string[] }) => chatApi.changeMembers(conversation.id, body),
    onSuccess: () => {
      setAdding([]);
      onChanged();
    },
    onError: toast,
  });
  const leave = useMutation({
    mutationFn: () => chatApi.leave(conversation.id),
    onSuccess: () => {
      onChanged();
      onClose();
      void navigate('/chat');
    },
    onError: toast,
  });
  const list = members.data ?? [];
  const order = { online: 0, away: 1, offline: 2 } as const;
  const sorted = [...list].sort((a, b) => order[a.presence] - order[b.presence] || a.name.localeCompare(b.name));
  return (
    <Drawer
      open={open}
      onClose={onClose}
      size={mobile ? '100%' : 400}
      title={`${t('chat.members')} · ${t('chat.memberCount', { count: conversation.memberCount })}`}
      data-testid="chat-members"
    >
      {manageable && (
        <Flex gap={8} style={{ marginBottom: 12 }}>
          <div style={{ flex: 1, minWidth: 0 }}>
            <PeopleSelect
              multiple
              value={adding}
              onChange={(v) => setAdding(v as string[])}
              exclude={list.map((m) => m.id)}
              data-testid="chat-add-members"
            />
          </div>
          <Button
            type="primary"
            disabled={adding.length === 0}
            loading={change.isPending}
            onClick={() => change.mutate({ add: adding })}
          >
            {t('chat.addMembers')}
          </Button>
        </Flex>
      )}
      {members.error && !members.data ? (
        <LoadError query={members} compact />
      ) : (
        <List
          loading={members.isPending}
          dataSource={sorted}
          renderItem={(member) => (
            <List.Item
              data-testid="chat-member"
              actions={
                manageable && member.id !== me.id
                  ? [
                      <Popconfirm
                        key="remove"
                        title={t('chat.removeMemberConfirm', { name: member.name })}
                        onConfirm={() => change.mutateAsync({ remove: [member.id] })}
                      >
                        <Button type="link" size="small" danger>
                          {t('chat.removeMember')}
                        </Button>
                      </Popconfirm>,
                    ]
                  : undefined
              }
            >
              <Flex gap={8} align="center">
                <PresenceDot presence={member.presence} />
                <Typography.Text>{member.name}</Typography.Text>
                {member.role === 'owner' && <Tag color="blue">{t('chat.owner')}</Tag>}
              </Flex>
            </List.Item>
          )}
        />
      )}
      {conversation.member && (conversation.kind === 'group' || conversation.kind === 'record') && (
        <Popconfirm title={t('chat.leaveConfirm')} onConfirm={() => leave.mutateAsync()}>
          <Button danger block style={{ marginTop: 16 }} loading={leave.isPending} data-testid="chat-leave">
            {t('chat.leave')}
          </Button>
        </Popconfirm>
      )}
    </Drawer>
  );
}

type SettingsValues = { title: string; postPolicy: Conversation['postPolicy']; archived: boolean };

/** Name, who may post, archived — for the conversation's managers. */
export function SettingsDrawer({
  open,
  onClose,
  conversation,
}: {
  open: boolean;
  onClose: () => void;
  conversation: Conversation;
}) {
  const t = useT();
  const [form] = Form.useForm<SettingsValues>();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const save = useMutation({
    mutationFn: (values: SettingsValues) =>
      chatApi.update(conversation.id, {
        ...(conversation.kind === 'group' ? { title: values.title } : {}),
        postPolicy: values.postPolicy,
        archived: values.archived,
      }),
    onSuccess: (updated) => {
      queryClient.setQueryData(chatApi.keys.conversation(conversation.id), updated);
      void queryClient.invalidateQueries({ queryKey: chatApi.keys.conversations });
      void message.success(t('chat.saved'));
      onClose();
    },
    onError: toast,
  });
  return (
    <FormDrawer
      open={open}
      onClose={onClose}
      title={t('chat.settings')}
      onSave={() => form.submit()}
      saving={save.isPending}
      width={480}
      saveTestId="chat-settings-save"
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{
          title: conversation.title,
          postPolicy: conversation.postPolicy,
          archived: conversation.archived,
        }}
        onFinish={(values) => save.mutate(values)}
      >
        {conversation.kind === 'group' && (
          <Form.Item name="title" label={t('chat.title')} rules={[{ required: true, whitespace: true, max: 60 }]}>
            <Input maxLength={60} />
          </Form.Item>
        )}
        <Form.Item name="postPolicy" label={t('chat.postPolicy')}>
          <Radio.Group
            options={[
              { value: 'members', label: t('chat.postPolicy.members') },
              { value: 'admins', label: t('chat.postPolicy.admins') },
            ]}
          />
        </Form.Item>
        <Form.Item name="archived" valuePropName="checked" extra={t('chat.archiveHint')}>
          <Checkbox>{t('chat.archive')}</Checkbox>
        </Form.Item>
      </Form>
    </FormDrawer>
  );
}

type CreateValues = { kind: 'group' | 'direct'; title?: string; memberIds?: string[]; userId?: string };

/** 发起会话: a group chat (name and members) or a one-to-one conversation with a colleague. */
export function NewConversationDrawer({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useT();
  const me = useMe().user;
  const [form] = Form.useForm<CreateValues>();
  const kind = Form.useWatch('kind', form) ?? 'direct';
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const toast = useErrorToast();
  const create = useMutation({
    mutationFn: (values: CreateValues) =>
      chatApi.create(
        values.kind === 'group'
          ? { kind: 'group', title: values.title!.trim(), memberIds: values.memberIds ?? [] }
          : { kind: 'direct', userId: values.userId! },
      ),
    onSuccess: (conversation) => {
      void queryClient.invalidateQueries({ queryKey: chatApi.keys.conversations });
      onClose();
      void navigate(`/chat/${conversation.id}`);
    },
    onError: toast,
  });
  return (
    <FormDrawer
      open={open}
      onClose={onClose}
      title={t('chat.newConversation')}
      onSave={() => form.submit()}
      saving={create.isPending}
      width={480}
      saveTestId="chat-create-save"
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{ kind: 'direct' }}
        onFinish={(values) => create.mutate(values)}
        data-testid="chat-create-form"
      >
        <Form.Item name="kind" label={t('chat.create.kind')}>
          <Radio.Group
            optionType="button"
            options={[
              { value: 'direct', label: t('chat.create.direct') },
              { value: 'group', label: t('chat.create.group') },
            ]}
          />
        </Form.Item>
        {kind === 'group' ? (
          <>
            <Form.Item
              name="title"
              label={t('chat.create.title')}
              rules={[{ required: true, whitespace: true, max: 60 }]}
            >
              <Input maxLength={60} placeholder={t('chat.create.titlePlaceholder')} data-testid="chat-create-title" />
            </Form.Item>
            <Form.Item name="memberIds" label={t('chat.create.members')} rules={[{ required: true }]}>
              <PeopleSelect multiple exclude={[me.id]} data-testid="chat-create-members" />
            </Form.Item>
          </>
        ) : (
          <Form.Item name="userId" label={t('chat.create.person')} rules={[{ required: true }]}>
            <PeopleSelect exclude={[me.id]} data-testid="chat-create-person" />
          </Form.Item>
        )}
      </Form>
    </FormDrawer>
  );
}
