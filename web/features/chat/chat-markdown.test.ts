import { describe, expect, it } from 'vitest';
import { isChatLink, renderChatMarkdown } from './chat-markdown';

describe('renderChatMarkdown', () => {
  it('never passes raw HTML through', () => {
    const html = renderChatMarkdown('<script>alert(1)</script> <img src=x onerror=alert(1)>');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;');
  });

  it('links only http(s) addresses, opening in a new tab without the opener', () => {
    const html = renderChatMarkdown(
      '[a](javascript:alert(1)) [b](/api/v1/users) [c](mailto:x@y.z) https://example.com',
    );
    expect(html).not.toContain('href="javascript');
    expect(html).not.toContain('href="/api');
    expect(html).not.toContain('href="mailto');
    expect(html).toContain('<a href="https://example.com" target="_blank" rel="noopener noreferrer nofollow">');
  });

  it('shows no images and no headings, keeps emphasis, code and line breaks', () => {
    const html = renderChatMarkdown('![x](https://evil.example/p.png)\n# 标题\n**重要** `代码`\n第二行');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<h1');
    expect(html).toContain('<strong>重要</strong>');
    expect(html).toContain('<code>代码</code>');
    expect(html).toContain('<br>');
  });

  it('highlights the mentioned people, not text inside attributes', () => {
    const html = renderChatMarkdown('@张三丰 请看 https://example.com/@张三', ['张三', '张三丰']);
    expect(html).toContain('<span class="gd-chat-mention">@张三丰</span>');
    expect(html).toContain('href="https://example.com/@%E5%BC%A0%E4%B8%89"');
  });

  it('isChatLink', () => {
    expect(isChatLink('https://a.b')).toBe(true);
    expect(isChatLink('//evil.example')).toBe(false);
    expect(isChatLink('data:text/html,x')).toBe(false);
  });
});
