import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  ChatCards,
  ChatCardsQuery,
  ChatMessage,
  ChatPeopleQuery,
  ChatPerson,
  Conversation,
  ConversationCreate,
  ConversationItem,
  ConversationListQuery,
  ConversationMember,
  ConversationUpdate,
  MembersChange,
  MessageCreate,
  MessageParams,
  MessagesPage,
  MessagesQuery,
  MessageUpdate,
  MessageVersion,
  ReactionInput,
  ReadMark,
  RecordConversationParams,
} from '../../../common/schemas/chat';
import { ErrorBody, IdParams, Ok } from '../../../common/schemas/common';
import { Attachment, AttachmentParams, MAX_FILE_BYTES } from '../../../common/schemas/files';
import { ctxOf } from '../../context';
import type { WindowLimiter } from '../../lib/rate-limit';
import { errorResponses, typed } from '../../lib/routes';
import { refuseBodiesOver, sendFile } from '../../lib/uploads';
import { requirePermission } from '../../policy';
import { receiveDocument } from '../files/receive';
import { assertCanUpload, getConversationFile, uploadToConversation } from './attachments.service';
import { parseLinks, readCards } from './cards.service';
import {
  changeMembers,
  createConversation,
  findChatPeople,
  getConversation,
  joinConversation,
  leaveConversation,
  listConversations,
  listMembers,
  recordConversation,
  updateConversation,
} from './conversations.service';
import { deleteMessage, editMessage, messageHistory, react } from './edits.service';
import { listMessages, markRead, newPostLimiter, postMessage } from './messages.service';

declare module 'fastify' {
  interface FastifyInstance {
    /** This instance's posting allowance per person (MESSAGE_RATE_LIMIT; a test may put in one with its own clock). */
    chatPostLimiter: WindowLimiter;
  }
}

/** An image is shown in the conversation (its own type, inline); any other file is a download. */
function sendChatFile(reply: FastifyReply, file: { contentType: string; filename: string; content: Uint8Array }) {
  if (!file.contentType.startsWith('image/')) return sendFile(reply, file);
  return reply
    .header('content-type', file.contentType)
    .header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
    .header('cache-control', 'private, no-store')
    .send(Buffer.from(file.content));
}

/**
 * Team chat 团队协作 (/api/v1/conversations): the reader's conversations, a record's conversation, group and
 * one-to-one conversations, members, messages (paged by seq) and the reader's place. Everything needs chat:use;
 * what one reads is chat.policy's rule (404 otherwise).
 */
export function registerChatRoutes(app: FastifyInstance) {
  const r = typed(app);
  const tags = ['chat'];
  const use = requirePermission('chat:use');
  app.decorate('chatPostLimiter', newPostLimiter());

  r.get(
    '/api/v1/conversations',
    {
      preValidation: use,
      schema: {
        tags,
        summary: 'My conversations (department channels and memberships), newest activity first, with unread counts',
        querystring: ConversationListQuery,
        response: { 200: z.array(ConversationItem), ...errorResponses },
      },
    },
    (request) => listConversations(ctxOf(request), request.query),
  );
  r.post(
    '/api/v1/conversations',
    {
      preValidation: use,
      schema: {
        tags,
        summary: 'Start a group chat, or the one-to-one conversation with someone (200 with the existing one)',
        body: ConversationCreate,
        response: { 200: Conversation, 201: Conversation, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { conversation, created } = await createConversation(ctxOf(request), request.body);
      reply.status(created ? 201 : 200);
      return conversation;
    },
  );
  r.put(
    '/api/v1/conversations/record/:recordType/:id',
    {
      preValidation: use,
      schema: {
        tags,
        summary:
          "A record's conversation (opportunity, engagement, contract), made on first use; 404 when I cannot see the record",
        params: RecordConversationParams,
        response: { 200: Conversation, ...errorResponses },
      },
    },
    (request) => recordConversation(ctxOf(request), request.params.recordType, request.params.id),
  );
  r.get(
    '/api/v1/conversations/:id',
    {
      preValidation: use,
      schema: {
        tags,
        summary: 'A conversation with my place, what I may do and its announcements',
        params: IdParams,
        response: { 200: Conversation, ...errorResponses },
      },
    },
    (request) => getConversation(ctxOf(request), request.params.id),
  );
  r.get(
    '/api/v1/conversations/:id/members',
    {
      preValidation: use,
      schema: {
        tags,
        summary: "A conversation's people (a channel: its department's)",
        params: IdParams,
        response: { 200: z.array(ConversationMember), ...errorResponses },
      },
    },
    async (request) =>
      (await listMembers(ctxOf(request), request.params.id)).map((m) => ({
        ...m,
        presence: request.server.realtime.presenceOf(m.id),
      })),
  );
  r.get(
    '/api/v1/conversations/:id/messages',
    {
      preValidation: use,
      schema: {
        tags,
        summary:
          'Messages by seq: the newest page, `before`, `after` (catching up) or `around` a seq; a thread with `parentId`',
        params: IdParams,
        querystring: MessagesQuery,
        response: { 200: MessagesPage, ...errorResponses },
      },
    },
    (request) => listMessages(ctxOf(request), request.params.id, request.query),
  );
  r.post(
    '/api/v1/conversations/:id/messages',
    {
      preValidation: use,
      schema: {
        tags,
        summary: 'Post a message (mentions of people outside the conversation are dropped silently)',
        params: IdParams,
        body: MessageCreate,
        response: { 201: ChatMessage, ...errorResponses, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const message = await postMessage(ctxOf(request), request.params.id, request.body, app.chatPostLimiter);
      reply.status(201);
      return message;
    },
  );
  r.put(
    '/api/v1/conversations/:id/read',
    {
      preValidation: use,
      schema: {
        tags,
        summary: 'Move my place forward to a seq (never back)',
        params: IdParams,
        body: ReadMark,
        response: { 200: z.object({ lastReadSeq: z.int() }), ...errorResponses },
      },
    },
    (request) => markRead(ctxOf(request), request.params.id, request.body.seq),
  );
  // ------------------------------------------------------------- messages and conversations beyond the core (chat-msg)

  r.patch(
    '/api/v1/conversations/:id',
    {
      preValidation: use,
      schema: {
        tags,
        summary: "Change a conversation I manage: a group's title, who may post, archived (audited)",
        params: IdParams,
        body: ConversationUpdate,
        response: { 200: Conversation, ...errorResponses },
      },
    },
    (request) => updateConversation(ctxOf(request), request.params.id, request.body),
  );
  r.post(
    '/api/v1/conversations/:id/members',
    {
      preValidation: use,
      schema: {
        tags,
        summary:
          "Add and remove members: a group's managers; in a record's conversation any reader, adding people who see the record",
        params: IdParams,
        body: MembersChange,
        response: { 200: z.array(ConversationMember), ...errorResponses },
      },
    },
    async (request) =>
      (await changeMembers(ctxOf(request), request.params.id, request.body)).map((m) => ({
        ...m,
        presence: request.server.realtime.presenceOf(m.id),
      })),
  );
  r.post(
    '/api/v1/conversations/:id/join',
    {
      preValidation: use,
      schema: {
        tags,
        summary: "Join a record's conversation I read (its new messages then reach me)",
        params: IdParams,
        response: { 200: Conversation, ...errorResponses },
      },
    },
    (request) => joinConversation(ctxOf(request), request.params.id),
  );
  r.post(
    '/api/v1/conversations/:id/leave',
    {
      preValidation: use,
      schema: {
        tags,
        summary: "Leave a group or a record's conversation",
        params: IdParams,
        response: { 200: Ok, ...errorResponses },
      },
    },
    async (request) => {
      await leaveConversation(ctxOf(request), request.params.id);
      return { ok: true as const };
    },
  );
  r.post(
    '/api/v1/conversations/:id/files',
    {
      onRequest: refuseBodiesOver(MAX_FILE_BYTES),
      preValidation: use,
      schema: {
        tags,
        summary: `Upload an image or a document for a message to come (multipart/form-data, field "file", up to ${MAX_FILE_BYTES / 1024 / 1024} MB); then post it by its id in fileIds`,
        consumes: ['multipart/form-data'],
        params: IdParams,
        response: { 201: Attachment, ...errorResponses, 413: ErrorBody, 415: ErrorBody },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(request);
      return receiveDocument(
        request,
        reply,
        (bytes) => assertCanUpload(ctx, request.params.id, bytes),
        (file) => uploadToConversation(ctx, request.params.id, file),
      );
    },
  );
  r.get(
    '/api/v1/conversations/:id/files/:fileId',
    {
      preValidation: use,
      schema: {
        tags,
        summary: "A message's image (shown inline) or document (a download)",
        params: AttachmentParams,
      },
    },
    async (request, reply) =>
      sendChatFile(reply, await getConversationFile(ctxOf(request), request.params.id, request.params.fileId)),
  );
  r.patch(
    '/api/v1/conversations/:id/messages/:messageId',
    {
      preValidation: use,
      schema: {
        tags,
        summary: 'Edit my message within the edit window (the previous text is kept in its history)',
        params: MessageParams,
        body: MessageUpdate,
        response: { 200: ChatMessage, ...errorResponses },
      },
    },
    (request) => editMessage(ctxOf(request), request.params.id, request.params.messageId, request.body),
  );
  r.delete(
    '/api/v1/conversations/:id/messages/:messageId',
    {
      preValidation: use,
      schema: {
        tags,
        summary: 'Delete my message within the edit window, or any message with chat:manage (it keeps its place)',
        params: MessageParams,
        response: { 200: ChatMessage, ...errorResponses },
      },
    },
    (request) => deleteMessage(ctxOf(request), request.params.id, request.params.messageId),
  );
  r.get(
    '/api/v1/conversations/:id/messages/:messageId/history',
    {
      preValidation: use,
      schema: {
        tags,
        summary: "A message's earlier texts (edits and deletion): its author and chat:manage",
        params: MessageParams,
        response: { 200: z.array(MessageVersion), ...errorResponses },
      },
    },
    (request) => messageHistory(ctxOf(request), request.params.id, request.params.messageId),
  );
  r.post(
    '/api/v1/conversations/:id/messages/:messageId/reactions',
    {
      preValidation: use,
      schema: {
        tags,
        summary: 'React to a message (giving the same reaction again changes nothing)',
        params: MessageParams,
        body: ReactionInput,
        response: { 200: ChatMessage, ...errorResponses },
      },
    },
    (request) => react(ctxOf(request), request.params.id, request.params.messageId, request.body.emoji, true),
  );
  r.delete(
    '/api/v1/conversations/:id/messages/:messageId/reactions',
    {
      preValidation: use,
      schema: {
        tags,
        summary: 'Take my reaction back (none given: nothing changes)',
        params: MessageParams,
        body: ReactionInput,
        response: { 200: ChatMessage, ...errorResponses },
      },
    },
    (request) => react(ctxOf(request), request.params.id, request.params.messageId, request.body.emoji, false),
  );
  r.get(
    '/api/v1/chat/cards',
    {
      preValidation: use,
      schema: {
        tags,
        summary: "Record cards for messages' links (type:id,…), each as I may see it (else available: false)",
        querystring: ChatCardsQuery,
        response: { 200: ChatCards, ...errorResponses },
      },
    },
    async (request) => {
      const ctx = ctxOf(request);
      return { items: await readCards(ctx, parseLinks(ctx, request.query.links)) };
    },
  );
  r.get(
    '/api/v1/chat/people',
    {
      preValidation: use,
      schema: {
        tags,
        summary: 'Active colleagues by name or username, to start a conversation or add members',
        querystring: ChatPeopleQuery,
        response: { 200: z.array(ChatPerson), ...errorResponses },
      },
    },
    (request) => findChatPeople(ctxOf(request), request.query.q),
  );
}
