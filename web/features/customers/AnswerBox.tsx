import { SearchOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { AutoComplete, Flex, Input, Spin, Tag, Typography, type AutoCompleteProps, type InputRef } from 'antd';
import { useRef, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import type { AnswerCard } from '../../../common/schemas/customers';
import { answersApi } from '../../api/resources';
import { formatDateTime } from '../../components/format';
import { formatMoney } from '../../components/money';
import { listSeparator } from '../../components/labels';
import { worthSearching } from '../../../common/search';
import { useDebounced } from '../../components/use-debounced';
import { useLocale, useT } from '../../i18n';
import { can, useMe } from '../../auth/session';
import { KNOWLEDGE_QUERY_MAX } from '../../../common/search';
import { Highlighted } from '../knowledge-search/Highlighted';
import { knowledgeSearchApi } from '../knowledge-search/api';
import { useAnswerShortcut } from './answer-shortcut';
import { CustomerStatusTag, DirectionTag, NextContactDate } from './customer-ui';

type Person = NonNullable<AnswerCard['primaryContact']>;

function Line({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <Flex gap={8} align="baseline" style={{ minWidth: 0 }} data-testid={testId}>
      <Typography.Text type="secondary" style={{ flex: 'none', width: 72, fontSize: 12 }}>
        {label}
      </Typography.Text>
      <div style={{ minWidth: 0, whiteSpace: 'normal' }}>{children}</div>
    </Flex>
  );
}

/** The answers to "what's their e-mail, who is responsible, who is their contact and what's the phone…" for one customer. */
function Card({ card }: { card: AnswerCard }) {
  const t = useT();
  const { locale } = useLocale();
  const sep = listSeparator(locale);
  const matched = new Set(card.matchedContacts.map((c) => c.id));
  const person = (p: Person) => (
    <span
      style={matched.has(p.id) ? { background: '#fff1b8', borderRadius: 3, padding: '0 3px' } : undefined}
      data-matched={matched.has(p.id) || undefined}
    >
      <Typography.Text strong>{p.name}</Typography.Text>
      {(p.department || p.title) && (
        <Typography.Text type="secondary"> ({[p.department, p.title].filter(Boolean).join(' · ')})</Typography.Text>
      )}
      {p.phones.length > 0 && <> {p.phones.join(sep)}</>}
      {p.phones.length === 0 && p.emails.length > 0 && <> {p.emails.join(sep)}</>}
    </span>
  );
  const { customer: c, primaryContact, payablesContact, lastContact } = card;
  const others = card.matchedContacts.filter((m) => m.id !== primaryContact?.id && m.id !== payablesContact?.id);
  return (
    <Flex vertical gap={2} style={{ padding: '4px 0' }} data-testid="answer-card">
      <Flex gap={8} align="center">
        <Typography.Text strong style={{ fontSize: 15, color: '#1f5fbf' }} data-testid="answer-customer">
          {c.name}
        </Typography.Text>
        <CustomerStatusTag status={c.status} />
      </Flex>
      <Line label={t('answer.owner')} testId="answer-owner">
        {c.ownerName ? (
          <Typography.Text>{c.ownerName}</Typography.Text>
        ) : (
          <Tag color="purple">{t('customer.pool')}</Tag>
        )}
      </Line>
      {(c.email || c.phone) && (
        <Line label={t('answer.emailPhone')} testId="answer-email-phone">
          {[c.email, c.phone].filter(Boolean).join(' / ')}
        </Line>
      )}
      {primaryContact && (
        <Line label={t('answer.contact')} testId="answer-contact">
          {person(primaryContact)}
        </Line>
      )}
      {payablesContact && (
        <Line label={t('answer.payables')} testId="answer-payables">
          {person(payablesContact)}
        </Line>
      )}
      {others.length > 0 && (
        <Line label={t('answer.matched')} testId="answer-matched">
          <Flex vertical>
            {others.map((m) => (
              <span key={m.id}>{person(m)}</span>
            ))}
          </Flex>
        </Line>
      )}
      <Line label={t('answer.lastContact')} testId="answer-last">
        {lastContact ? (
          <Flex gap={6} align="center" wrap>
            <Typography.Text>{formatDateTime(lastContact.at, locale)}</Typography.Text>
            <DirectionTag direction={lastContact.direction} short />
            <Typography.Text type="secondary">{lastContact.userName}</Typography.Text>
          </Flex>
        ) : (
          <Typography.Text type="secondary">{t('answer.never')}</Typography.Text>
        )}
      </Line>
      {c.nextContactOn && (
        <Line label={t('answer.nextContact')} testId="answer-next">
          <NextContactDate date={c.nextContactOn} />
        </Line>
      )}
      <Line label={t('answer.openBusiness')} testId="answer-business">
        {card.openBusiness.count === 0 ? (
          <Typography.Text type="secondary">{t('answer.noOpenBusiness')}</Typography.Text>
        ) : (
          <Flex vertical>
            <Typography.Text>
              {t('answer.openBusinessSummary', {
                count: card.openBusiness.count,
                total: formatMoney(card.openBusiness.totalAmount),
              })}
            </Typography.Text>
            {card.openBusiness.top.map((o) => (
              <Typography.Text key={o.id} type="secondary" ellipsis style={{ maxWidth: 380 }}>
                {o.name} · {locale === 'zh-CN' ? o.stageNameZh : o.stageNameEn} · {formatMoney(o.expectedAmount)}
              </Typography.Text>
            ))}
          </Flex>
        )}
      </Line>
    </Flex>
  );
}

/** The matching articles shown below the customer cards, and how their options' values are told apart. */
const ARTICLES = 3;
const ARTICLE = 'article:';

/**
 * The answer box 答案框 in the header: type a name, pinyin initials, a phone or e-mail fragment.
 * `fluid` (a phone): it takes the header's free width, and its answers the screen's.
 */
export function AnswerBox({ fluid = false }: { fluid?: boolean }) {
  const t = useT();
  const navigate = useNavigate();
  const [text, setText] = useState('');
  const input = useRef<InputRef>(null);
  useAnswerShortcut(input);
  const q = useDebounced(text.trim(), 250);
  const answers = useQuery({
    queryKey: [answersApi.path, q],
    queryFn: () => answersApi.find(q),
    enabled: worthSearching(q),
    staleTime: 10_000,
  });
  const cards = worthSearching(q) ? (answers.data?.cards ?? []) : [];
  // Below the customers, the knowledge base's best matches (articles, lessons, insights, templates).
  const me = useMe();
  const searchKnowledge = can(me, 'knowledge:read') && worthSearching(q) && q.length <= KNOWLEDGE_QUERY_MAX;
  const articles = useQuery({
    queryKey: [knowledgeSearchApi.path, { q, pageSize: ARTICLES }],
    queryFn: () => knowledgeSearchApi.search({ q, page: 1, pageSize: ARTICLES }),
    enabled: searchKnowledge,
    staleTime: 10_000,
  });
  const hits = searchKnowledge ? (articles.data?.items ?? []) : [];
  const open = (value: string) => {
    setText('');
    navigate(value.startsWith(ARTICLE) ? `/knowledge/${value.slice(ARTICLE.length)}` : `/customers/${value}`);
  };
  const customerOptions = cards.map((card) => ({ value: card.customer.id, label: <Card card={card} /> }));
  const options: AutoCompleteProps['options'] =
    hits.length === 0
      ? customerOptions
      : [
          ...(customerOptions.length > 0 ? [{ label: t('answer.customers'), options: customerOptions }] : []),
          {
            label: t('answer.knowledge'),
            options: hits.map((hit) => ({
              value: `${ARTICLE}${hit.id}`,
              label: (
                <Typography.Text ellipsis style={{ maxWidth: 420 }} data-testid="answer-article">
                  <Highlighted segments={hit.title} />
                </Typography.Text>
              ),
            })),
          },
        ];

  return (
    <div
      style={{ lineHeight: 'normal', display: 'flex', alignItems: 'center', ...(fluid && { flex: 1, minWidth: 0 }) }}
    >
      <AutoComplete
        value={text}
        onChange={setText}
        onSelect={(id: string) => open(id)}
        options={options}
        popupMatchSelectWidth={460}
        virtual={false}
        defaultActiveFirstOption
        notFoundContent={
          q && !worthSearching(q) ? (
            <Typography.Text type="secondary">{t('answer.typeMore')}</Typography.Text>
          ) : q && text.trim() === q ? (
            answers.isFetching ? (
              <Spin size="small" />
            ) : (
              <Typography.Text type="secondary">{t('answer.none')}</Typography.Text>
            )
          ) : null
        }
        style={{ width: fluid ? '100%' : 340 }}
        classNames={{ popup: { root: 'gd-answer-popup' } }}
        data-testid="answer-box"
      >
        <Input
          ref={input}
          allowClear
          prefix={<SearchOutlined style={{ color: '#8c8c8c' }} />}
          suffix={
            <kbd className="gd-kbd" title={t('answer.shortcut')} style={{ visibility: text ? 'hidden' : 'visible' }}>
              /
            </kbd>
          }
          placeholder={t('answer.placeholder')}
          aria-label={t('answer.label')}
          aria-keyshortcuts="/ Control+K Meta+K"
          onKeyDown={(e) => {
            // Enter opens the first card even when no option is highlighted (e.g. before the list settled).
            if (
              e.key === 'Enter' &&
              cards[0] &&
              !document.querySelector('.gd-answer-popup .ant-select-item-option-active')
            )
              open(cards[0].customer.id);
          }}
        />
      </AutoComplete>
    </div>
  );
}
