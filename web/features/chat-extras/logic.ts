/** Pure helpers of the chat's extras (tested in logic.test.ts). */

/**
 * Where a message opens: its conversation, scrolled to it (the chat page reads `?seq=` and loads `around` it); a
 * reply in a thread adds `&thread=<parentId>` so the page can open the thread too.
 */
export function messageHref(conversationId: string, seq: number, parentId?: string | null): string {
  return `/chat/${conversationId}?seq=${seq}${parentId ? `&thread=${parentId}` : ''}`;
}

export const SEARCH_PAGE_SIZE = 20;
/** The search box's longest query (ChatSearchQuery's q). */
export const SEARCH_QUERY_MAX = 100;

/** The search page's state from its address: the words and a page within 1…1000. */
export function searchState(params: URLSearchParams): { q: string; page: number } {
  const q = (params.get('q') ?? '').trim().slice(0, SEARCH_QUERY_MAX);
  const raw = Number(params.get('page'));
  const page = Number.isInteger(raw) && raw >= 1 ? Math.min(raw, 1000) : 1;
  return { q, page };
}

/** A file name for an export when the server names none: the title without characters file systems refuse. */
export function exportFilename(title: string, format: 'xlsx' | 'text', day: string): string {
  const safe =
    [...title]
      .map((ch) => (ch.charCodeAt(0) < 32 ? ' ' : ch))
      .join('')
      .replace(/[\\/:*?"<>|]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 60) || 'chat';
  return `${safe}-${day}.${format === 'xlsx' ? 'xlsx' : 'txt'}`;
}

/** A title proposed for the article a message becomes: its first non-empty line, cut at 60 characters. */
export function proposedTitle(body: string, max = 60): string {
  const line =
    body
      .split('\n')
      .map((l) => l.replace(/^[#>*\-\s]+/, '').trim())
      .find((l) => l.length > 0) ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** One line of a message for a list: whitespace folded, cut at `max` characters. */
export function oneLine(text: string, max = 120): string {
  const folded = text.replace(/\s+/g, ' ').trim();
  return folded.length > max ? `${folded.slice(0, max - 1)}…` : folded;
}
