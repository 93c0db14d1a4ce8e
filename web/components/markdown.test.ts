import { describe, expect, it } from 'vitest';
import { fileReference, isSafeLink, renderMarkdown } from './markdown';

describe('renderMarkdown', () => {
  it('renders headings, lists and GFM tables', () => {
    const html = renderMarkdown(
      '## 承接要点\n\n- 独立性\n- 胜任能力\n\n| 项目 | 要点 |\n| --- | --- |\n| 存货 | 监盘 |',
    );
    expect(html).toContain('<h2>承接要点</h2>');
    expect(html).toContain('<li>独立性</li>');
    expect(html).toContain('<table>');
    expect(html).toContain('<td>监盘</td>');
  });

  it('leaves scripts, event handlers and javascript: links inert', () => {
    const html = renderMarkdown(
      [
        '<script>alert(1)</script>',
        '<img src=x onerror="alert(2)">',
        '[点我](javascript:alert(3))',
        '[也点我](JAVASCRIPT:alert(4))',
        '[编码](jav&#x09;ascript:alert(5))',
        '![图](javascript:alert(6))',
        '[数据](data:text/html;base64,PHNjcmlwdD5hbGVydCg3KTwvc2NyaXB0Pg==)',
        '[别处](//evil.example/x)',
        '<a href="javascript:alert(8)">链接</a>',
      ].join('\n\n'),
    );
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img[^>]*onerror/i);
    expect(html).not.toMatch(/<a[^>]*href="\s*javascript:/i);
    expect(html).not.toMatch(/href="data:/i);
    expect(html).not.toMatch(/src="javascript:/i);
    expect(html).not.toMatch(/href="\/\/evil/);
    expect(html).not.toMatch(/<a href="javascript/i);
    // The text is still there, escaped.
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(2)&quot;&gt;');
  });

  it('keeps web, mail and this server’s file links', () => {
    const html = renderMarkdown(
      '[准则](https://www.cicpa.org.cn/) [写信](mailto:audit@example.com) ![流程](/api/v1/knowledge/a/files/b)',
    );
    expect(html).toContain('href="https://www.cicpa.org.cn/"');
    expect(html).toContain('rel="noopener noreferrer nofollow"');
    expect(html).toContain('href="mailto:audit@example.com"');
    expect(html).toContain('src="/api/v1/knowledge/a/files/b"');
    expect(isSafeLink('/other/page')).toBe(false);
  });

  it('references an uploaded image inline and a document as a link', () => {
    expect(fileReference({ filename: '流程[1].png', contentType: 'image/png' }, '/api/v1/knowledge/a/files/b')).toBe(
      '![流程1.png](/api/v1/knowledge/a/files/b)',
    );
    expect(fileReference({ filename: '底稿.xlsx', contentType: 'application/vnd.ms-excel' }, '/x')).toBe(
      '[底稿.xlsx](/x)',
    );
  });
});
