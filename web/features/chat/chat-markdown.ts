import MarkdownIt from 'markdown-it';

/**
 * Markdown-lite for chat messages: emphasis, code, lists, quotes, links and line breaks as typed — no raw HTML
 * (html: false: `<script>` comes out as text), no images (a message cannot make every reader's browser fetch
 * another site), no headings or tables, and links only to http(s) (relative record addresses stay text: they show as
 * cards). Links open in a new tab without handing it this page.
 */
const md = new MarkdownIt('default', { html: false, linkify: true, typographer: false, breaks: true });
md.disable(['image', 'heading', 'lheading', 'table', 'hr', 'html_block', 'html_inline', 'reference']);

const HTTP = /^https?:\/\//i;
export function isChatLink(url: string): boolean {
  return HTTP.test(url.trim());
}
md.validateLink = isChatLink;

const defaultLinkOpen =
  md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx].attrSet('target', '_blank');
  tokens[idx].attrSet('rel', 'noopener noreferrer nofollow');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/** Marks `@name` of the people a message mentions (escaped text in, escaped text out). */
function markMentions(html: string, names: readonly string[]): string {
  const escaped = names
    .filter(Boolean)
    .sort((a, b) => b.length - a.length)
    .map((name) => md.utils.escapeHtml(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (escaped.length === 0) return html;
  const pattern = new RegExp(`@(${escaped.join('|')})`, 'g');
  // Only in text between tags, never inside an attribute.
  return html.replace(
    />([^<]+)</g,
    (_whole, text: string) => `>${text.replace(pattern, '<span class="gd-chat-mention">@$1</span>')}<`,
  );
}

/** The HTML of a message's body, safe to put into the page; `mentionNames` are highlighted (with @所有人). */
export function renderChatMarkdown(source: string, mentionNames: readonly string[] = []): string {
  return markMentions(md.render(source), mentionNames);
}
