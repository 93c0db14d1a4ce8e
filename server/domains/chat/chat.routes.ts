import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  ChatMessage,
  Conversation,
  ConversationCreate,
  ConversationItem,
  ConversationListQuery,
  ConversationMember,
  MessageCreate,
  MessagesPage,
  MessagesQuery,
  ReadMark,
  RecordConversationParams,
} from '../../../common/schemas/chat';
import { IdParams } from '../../../common/schemas/common';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { requirePermission } from '../../policy';
import {
  createConversation,
  getConversation,
  listConversations,
  listMembers,
  recordConversation,
} from './conversations.service';
import { listMessages, markRead, postMessage } from './messages.service';

/**
 * Team chat 团队协作 (/api/v1/conversations): the reader's conversations, a record's conversation, group and
 * one-to-one conversations, members, messages (paged by seq) and the reader's place. Everything needs chat:use;
 * what one reads is chat.policy's rule (404 otherwise).
 */
export function registerChatRoutes(app: FastifyInstance) {
  const r = typed(app);
  const tags = ['chat'];
  const use = requirePermission('chat:use');

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
        response: { 201: ChatMessage, ...errorResponses },
      },
    },
    async (request, reply) => {
      const message = await postMessage(ctxOf(request), request.params.id, request.body);
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
}
