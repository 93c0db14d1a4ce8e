import { useMemo } from 'react';
import { renderMarkdown } from './markdown';

/**
 * Markdown (headings, lists, GFM tables, images, links) rendered safe: no raw HTML, links only to http(s), mailto
 * and this server's /api/v1/ paths (see markdown.ts). Wide tables scroll inside the block, never the page.
 */
export function Markdown({ source, 'data-testid': testId }: { source: string; 'data-testid'?: string }) {
  const html = useMemo(() => renderMarkdown(source), [source]);
  return (
    <div
      className="gd-markdown"
      data-testid={testId}
      style={{ overflowWrap: 'anywhere', maxWidth: '100%', overflowX: 'auto' }}
      // renderMarkdown escapes every HTML tag of the source and allows only safe link targets.
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}
