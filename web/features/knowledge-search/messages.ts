/**
 * UI strings of the knowledge search: zh-CN is the source, en-US must translate every key
 * (the typecheck fails otherwise). web/i18n/messages.ts merges every feature's strings into one dictionary.
 */
export const zhCN = {
  'knowledgeSearch.nav': '搜索知识库',
  'knowledgeSearch.title': '搜索知识库',
  'knowledgeSearch.hint': '在文章、复盘、客户洞察和模板中查找：输入两字词（如 审计、验资）、短语、英文或数字',
  'knowledgeSearch.placeholder': '搜索知识库，如 审计、年报审计承接',
  'knowledgeSearch.kind': '类型',
  'knowledgeSearch.allKinds': '全部类型',
  'knowledgeSearch.found': '找到 {total} 篇',
  'knowledgeSearch.foundMore': '找到 {total}+ 篇',
  'knowledgeSearch.updated': '更新于 {date}',
  'knowledgeSearch.useful': '{count} 人觉得有用',
  'knowledgeSearch.start': '输入要查找的内容',
  'knowledgeSearch.startHint': '两个汉字即可查找，如 审计、验资、税务',
  'knowledgeSearch.empty': '没有找到相关内容',
  'knowledgeSearch.emptyHint': '换个说法试试，或减少关键词；只有你能查看的文章才会出现在结果中',
};

export const enUS: Record<keyof typeof zhCN, string> = {
  'knowledgeSearch.nav': 'Search knowledge',
  'knowledgeSearch.title': 'Search the knowledge base',
  'knowledgeSearch.hint':
    'Find articles, lessons, customer insights and templates: a two-character word (审计, 验资), a phrase, an English word or a number',
  'knowledgeSearch.placeholder': 'Search the knowledge base, e.g. 审计',
  'knowledgeSearch.kind': 'Kind',
  'knowledgeSearch.allKinds': 'All kinds',
  'knowledgeSearch.found': '{total} found',
  'knowledgeSearch.foundMore': '{total}+ found',
  'knowledgeSearch.updated': 'Updated {date}',
  'knowledgeSearch.useful': '{count} found it useful',
  'knowledgeSearch.start': 'Type what you are looking for',
  'knowledgeSearch.startHint': 'Two Chinese characters are enough, e.g. 审计, 验资, 税务',
  'knowledgeSearch.empty': 'Nothing found',
  'knowledgeSearch.emptyHint': 'Try other words or fewer of them; only articles you may read are searched',
};
