import MarkdownIt from 'markdown-it';

/**
 * Markdown rendered safe: raw HTML is never passed through (html: false — `<script>` and `<img onerror>` come out
 * as text), and links and images may only point to http(s), mailto, or this server's own `/api/v1/…` (e.g. an
 * article's attachments `/api/v1/knowledge/<id>/files/<fileId>`) — `javascript:`, `data:`, `vbscript:` and the
 * like stay unlinked text. Tables are GFM tables; bare web addresses become links.
 */
const SAFE_LINK = /^(https?:\/\/|mailto:|\/api\/v1\/)/i;

export function isSafeLink(url: string): boolean {
  const trimmed = url.trim();
  // Protocol-relative (//host) and backslash tricks (/\host) are other hosts, not ours.
  if (trimmed.startsWith('//') || trimmed.startsWith('/\\')) return false;
  return SAFE_LINK.test(trimmed);
}

const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false });
md.validateLink = isSafeLink;

// Links open in a new tab without handing it this page (window.opener).
const defaultLinkOpen =
  md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const href = tokens[idx].attrGet('href') ?? '';
  if (!href.startsWith('/api/v1/')) {
    tokens[idx].attrSet('target', '_blank');
    tokens[idx].attrSet('rel', 'noopener noreferrer nofollow');
  }
  return defaultLinkOpen(tokens, idx, options, env, self);
};
// Images never widen the page (a phone is 390 px wide).
const defaultImage = md.renderer.rules.image!;
md.renderer.rules.image = (tokens, idx, options, env, self) => {
  tokens[idx].attrSet('loading', 'lazy');
  tokens[idx].attrSet('style', 'max-width:100%');
  return defaultImage(tokens, idx, options, env, self);
};

/** The HTML of a Markdown text, safe to put into the page. */
export function renderMarkdown(source: string): string {
  return md.render(source);
}

/** The Markdown that shows an uploaded file: an image inline, anything else as a link. */
export function fileReference(file: { filename: string; contentType: string }, url: string): string {
  const label = file.filename.replace(/[[\]\\]/g, '');
  return file.contentType.startsWith('image/') ? `![${label}](${url})` : `[${label}](${url})`;
}
