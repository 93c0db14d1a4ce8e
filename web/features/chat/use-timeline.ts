import { useCallback, useEffect, useRef, useState } from 'react';
import type { ChatMessage } from '../../../common/schemas/chat';
import { chatApi } from './api';
import { lastSeqOf, mergeBySeq } from './chat-logic';

export type Timeline = {
  items: ChatMessage[];
  hasBefore: boolean;
  status: 'loading' | 'ready' | 'error';
  error: unknown;
  loadingOlder: boolean;
  /** Loads the first page again (after a failure). */
  reload: () => void;
  /** The page before the first message held. */
  loadOlder: () => Promise<void>;
  /** Adds or replaces messages (a live message, a posted one, one read again), by seq. */
  merge: (messages: ChatMessage[]) => void;
  /** Everything after the last seq held, in order (after a reconnect). */
  catchUp: () => Promise<void>;
  /** Reads one held message again (edited, deleted, reacted to, replied to); nothing when it is not held. */
  refresh: (messageId: string) => Promise<void>;
};

/**
 * The messages of a conversation's timeline (or of one thread, with `parentId`) as the browser holds them: the
 * newest page first (`limit` of them), older pages on demand, live messages and catch-ups merged by seq so none
 * shows twice.
 */
export function useTimeline(conversationId: string, parentId: string | null, limit: number | null): Timeline {
  const [items, setItems] = useState<ChatMessage[]>([]);
  const [hasBefore, setHasBefore] = useState(false);
  const [status, setStatus] = useState<Timeline['status']>('loading');
  const [error, setError] = useState<unknown>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const itemsRef = useRef(items);
  itemsRef.current = items;
  const key = `${conversationId}|${parentId ?? ''}`;
  const keyRef = useRef(key);
  keyRef.current = key;
  const parent = parentId ?? undefined;

  useEffect(() => {
    if (limit === null) return;
    let cancelled = false;
    setStatus('loading');
    setItems([]);
    setHasBefore(false);
    chatApi.messages(conversationId, { parentId: parent, limit }).then(
      (page) => {
        if (cancelled) return;
        setItems((held) => mergeBySeq(held, page.items));
        setHasBefore(page.hasBefore);
        setStatus('ready');
      },
      (failure: unknown) => {
        if (cancelled) return;
        setError(failure);
        setStatus('error');
      },
    );
    return () => {
      cancelled = true;
    };
  }, [conversationId, parent, limit, attempt]);

  const merge = useCallback((messages: ChatMessage[]) => setItems((held) => mergeBySeq(held, messages)), []);

  const loadOlder = useCallback(async () => {
    const first = itemsRef.current[0];
    if (!first) return;
    const asked = keyRef.current;
    setLoadingOlder(true);
    try {
      const page = await chatApi.messages(conversationId, { parentId: parent, before: first.seq, limit: 50 });
      if (keyRef.current !== asked) return;
      setItems((held) => mergeBySeq(held, page.items));
      setHasBefore(page.hasBefore);
    } finally {
      setLoadingOlder(false);
    }
  }, [conversationId, parent]);

  const catchUp = useCallback(async () => {
    const asked = keyRef.current;
    for (let round = 0; round < 20; round++) {
      const page = await chatApi.messages(conversationId, {
        parentId: parent,
        after: lastSeqOf(itemsRef.current),
        limit: 200,
      });
      if (keyRef.current !== asked) return;
      itemsRef.current = mergeBySeq(itemsRef.current, page.items);
      setItems(itemsRef.current);
      if (!page.hasAfter || page.items.length === 0) return;
    }
  }, [conversationId, parent]);

  const refresh = useCallback(
    async (messageId: string) => {
      const held = itemsRef.current.find((m) => m.id === messageId);
      if (!held) return;
      const page = await chatApi.messages(conversationId, { parentId: parent, after: held.seq - 1, limit: 1 });
      const fresh = page.items.find((m) => m.id === messageId);
      if (fresh) setItems((list) => mergeBySeq(list, [fresh]));
    },
    [conversationId, parent],
  );

  return {
    items,
    hasBefore,
    status,
    error,
    loadingOlder,
    reload: () => setAttempt((n) => n + 1),
    loadOlder,
    merge,
    catchUp,
    refresh,
  };
}
