import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  Announcement,
  AnnouncementReceipt,
  AnnouncementReceipts,
  ChatMentionItem,
  ChatMessage,
  ChatUnread,
  MessageParams,
} from '../../../common/schemas/chat';
import { IdParams } from '../../../common/schemas/common';
import { ctxOf } from '../../context';
import { errorResponses, typed } from '../../lib/routes';
import { requirePermission } from '../../policy';
import { announcementReceipts, listAnnouncements, markAnnouncementRead, setPinned } from './announcements.service';
import { chatUnread, myMentions } from './unread.service';

/**
 * Catching up and announcements 公告 (issue 18): the menu's unread badge, my unread mentions, pinning announcements
 * and their read receipts. Everything needs chat:use; what one reads is chat.policy's rule (404 otherwise), pinning and
 * the receipts are for those who manage the conversation (403 for its other readers).
 */
export function registerChatCatchupRoutes(app: FastifyInstance) {
  const r = typed(app);
  const tags = ['chat'];
  const use = requirePermission('chat:use');

  r.get(
    '/api/v1/chat/unread',
    {
      preValidation: use,
      schema: {
        tags,
        summary: "The menu's badge: unread messages, unread mentions and conversations with unread, over my list",
        response: { 200: ChatUnread, ...errorResponses },
      },
    },
    (request) => chatUnread(ctxOf(request)),
  );
  r.get(
    '/api/v1/chat/mentions',
    {
      preValidation: use,
      schema: {
        tags,
        summary: 'My unread mentions (in conversations I may still read), newest first',
        response: { 200: z.array(ChatMentionItem), ...errorResponses },
      },
    },
    (request) => myMentions(ctxOf(request)),
  );
  r.get(
    '/api/v1/conversations/:id/announcements',
    {
      preValidation: use,
      schema: {
        tags,
        summary: "A conversation's announcements 公告 (pinned messages), newest first, with whether I have read each",
        params: IdParams,
        response: { 200: z.array(Announcement), ...errorResponses },
      },
    },
    (request) => listAnnouncements(ctxOf(request), request.params.id),
  );
  r.post(
    '/api/v1/conversations/:id/messages/:messageId/pin',
    {
      preValidation: use,
      schema: {
        tags,
        summary: 'Pin a message as an announcement (those who manage the conversation; audited)',
        params: MessageParams,
        response: { 200: ChatMessage, ...errorResponses },
      },
    },
    (request) => setPinned(ctxOf(request), request.params.id, request.params.messageId, true),
  );
  r.delete(
    '/api/v1/conversations/:id/messages/:messageId/pin',
    {
      preValidation: use,
      schema: {
        tags,
        summary: 'Unpin an announcement (those who manage the conversation; audited)',
        params: MessageParams,
        response: { 200: ChatMessage, ...errorResponses },
      },
    },
    (request) => setPinned(ctxOf(request), request.params.id, request.params.messageId, false),
  );
  r.put(
    '/api/v1/conversations/:id/messages/:messageId/receipt',
    {
      preValidation: use,
      schema: {
        tags,
        summary: 'Mark an announcement read by me (pinned messages only; again changes nothing)',
        params: MessageParams,
        response: { 200: AnnouncementReceipt, ...errorResponses },
      },
    },
    (request) => markAnnouncementRead(ctxOf(request), request.params.id, request.params.messageId),
  );
  r.get(
    '/api/v1/conversations/:id/messages/:messageId/receipts',
    {
      preValidation: use,
      schema: {
        tags,
        summary: "Who of the conversation's people has read an announcement and who not yet (its managers)",
        params: MessageParams,
        response: { 200: AnnouncementReceipts, ...errorResponses },
      },
    },
    (request) => announcementReceipts(ctxOf(request), request.params.id, request.params.messageId),
  );
}
