import { describe, expect, it } from 'vitest';
import { announcementList, type Announcement } from './api';
import { exportFilename, messageHref, oneLine, proposedTitle, searchState } from './logic';

describe('chat extras logic', () => {
  it('links a message to its conversation scrolled to its seq', () => {
    expect(messageHref('0190-abc', 42)).toBe('/chat/0190-abc?seq=42');
    expect(messageHref('0190-abc', 42, null)).toBe('/chat/0190-abc?seq=42');
    expect(messageHref('0190-abc', 43, 'p1')).toBe('/chat/0190-abc?seq=43&thread=p1');
  });

  it('reads the search words and page from the address, keeping the page within 1…1000', () => {
    expect(searchState(new URLSearchParams('q=%20审计%20&page=3'))).toEqual({ q: '审计', page: 3 });
    expect(searchState(new URLSearchParams('q=x&page=0'))).toEqual({ q: 'x', page: 1 });
    expect(searchState(new URLSearchParams('q=x&page=-2'))).toEqual({ q: 'x', page: 1 });
    expect(searchState(new URLSearchParams('q=x&page=2.5'))).toEqual({ q: 'x', page: 1 });
    expect(searchState(new URLSearchParams('q=x&page=abc'))).toEqual({ q: 'x', page: 1 });
    expect(searchState(new URLSearchParams('page=5000'))).toEqual({ q: '', page: 1000 });
    expect(searchState(new URLSearchParams(`q=${'字'.repeat(150)}`)).q).toHaveLength(100);
  });

  it('names an export after the conversation without characters a file system refuses', () => {
    expect(exportFilename('华东/审计:项目*', 'xlsx', '2026-12-06')).toBe('华东 审计 项目-2026-12-06.xlsx');
    expect(exportFilename('  ', 'text', '2026-12-06')).toBe('chat-2026-12-06.txt');
    expect(exportFilename('a\tb\nc', 'text', 'd')).toBe('a b c-d.txt');
    expect(exportFilename('a'.repeat(80), 'text', 'd')).toBe(`${'a'.repeat(60)}-d.txt`);
  });

  it('proposes the first non-empty line of a message as the article title', () => {
    expect(proposedTitle('\n\n> 验资报告怎么出？\n第二行')).toBe('验资报告怎么出？');
    expect(proposedTitle('- 要点一')).toBe('要点一');
    expect(proposedTitle('')).toBe('');
    const long = '长'.repeat(70);
    expect(proposedTitle(long)).toBe(`${'长'.repeat(59)}…`);
  });

  it('folds a message into one line', () => {
    expect(oneLine('  第一行\n\n第二行\t末尾  ')).toBe('第一行 第二行 末尾');
    expect(oneLine('abcdef', 4)).toBe('abc…');
  });

  it('reads announcements whether the server answers a list or { items }', () => {
    const a = { id: 'm1' } as Announcement;
    expect(announcementList([a])).toEqual([a]);
    expect(announcementList({ items: [a] })).toEqual([a]);
    expect(announcementList(null)).toEqual([]);
  });
});
