import { useEffect, type RefObject } from 'react';

/** Typing into something: a text field, a select's search, an editable element. */
function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/**
 * `/` or Ctrl+K (⌘K on a Mac) focuses the answer box from anywhere in the app — but not while
 * the user types in a field, where `/` is a character and Ctrl+K the field's own business.
 */
export function useAnswerShortcut(box: RefObject<{ focus: (options?: { cursor?: 'all' }) => void } | null>) {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing || event.altKey || typingIn(event.target)) return;
      const slash = event.key === '/' && !event.ctrlKey && !event.metaKey;
      const ctrlK = (event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === 'k';
      if (!slash && !ctrlK) return;
      event.preventDefault();
      box.current?.focus({ cursor: 'all' });
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [box]);
}
