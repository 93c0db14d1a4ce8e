import {
  AccountBookOutlined,
  CarOutlined,
  CommentOutlined,
  EllipsisOutlined,
  FileTextOutlined,
  InteractionOutlined,
  MailOutlined,
  PhoneOutlined,
  QuestionCircleOutlined,
  SendOutlined,
  TagOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Flex, Tag } from 'antd';
import { useCallback, useMemo, type ReactNode } from 'react';
import type { Locale } from '../../../common/i18n';
// Types only: the schema module's runtime (zod) stays out of the pages that show a category (Today).
import type { ActivityCategory, ActivityCategoryItem } from '../../../common/schemas/activities';
import { activityCategoriesApi } from '../../api/resources';
import { useLocale } from '../../i18n';

export const CATEGORY_ICONS: Record<ActivityCategory, ReactNode> = {
  call: <PhoneOutlined />,
  visit: <CarOutlined />,
  email: <MailOutlined />,
  meeting: <TeamOutlined />,
  proposal: <FileTextOutlined />,
  discussion: <CommentOutlined />,
  materials: <SendOutlined />,
  question: <QuestionCircleOutlined />,
  quote: <AccountBookOutlined />,
  negotiation: <InteractionOutlined />,
  other: <EllipsisOutlined />,
};

/** Light work (calls, e-mails, materials, answers) in cool colours; deeper work in warm ones. */
export const CATEGORY_COLORS: Record<ActivityCategory, string> = {
  call: 'blue',
  visit: 'cyan',
  email: 'geekblue',
  meeting: 'purple',
  proposal: 'magenta',
  discussion: 'volcano',
  materials: 'green',
  question: 'lime',
  quote: 'orange',
  negotiation: 'red',
  other: 'default',
};

/** A built-in category code (the ones with their own icon and colour). */
export function isCategory(value: string): value is ActivityCategory {
  // CATEGORY_COLORS has exactly the built-in categories (its type requires every one).
  return Object.hasOwn(CATEGORY_COLORS, value);
}

/** A category's icon: built-in ones have their own, the firm's own categories a plain tag. */
export function categoryIcon(code: string): ReactNode {
  return isCategory(code) ? CATEGORY_ICONS[code] : <TagOutlined />;
}

/**
 * The firm's activity categories in its order, inactive ones too (old activities keep theirs).
 * One shared query: every tag and picker reads the same cache; the categories page refreshes it.
 */
export function useActivityCategories(enabled = true) {
  return useQuery({
    queryKey: [activityCategoriesApi.path],
    queryFn: activityCategoriesApi.list,
    staleTime: 5 * 60_000,
    enabled,
  });
}

/** A category's name in the UI language. */
export function categoryName(item: Pick<ActivityCategoryItem, 'nameZh' | 'nameEn'>, locale: Locale): string {
  return locale === 'zh-CN' ? item.nameZh : item.nameEn || item.nameZh;
}

/** A category's name from the firm's list (see useActivityCategories); a code not (or not yet) in it shows as it is stored. */
export function categoryLabel(
  categories: readonly ActivityCategoryItem[] | undefined,
  locale: Locale,
  code: string,
): string {
  const item = categories?.find((c) => c.code === code);
  return item ? categoryName(item, locale) : code;
}

/** `(code) => name` in the UI language, from the firm's categories (for text such as table cells and summaries). */
export function useCategoryLabel(): (code: string) => string {
  const { locale } = useLocale();
  const { data } = useActivityCategories();
  return useCallback((code: string) => categoryLabel(data, locale, code), [data, locale]);
}

/**
 * The categories a picker offers: the active ones — `preferred` first in its order (those of them
 * that are active), then the firm's other active custom categories; without `preferred` every active
 * one in the firm's order. `current` (an activity's category being edited) is kept even when
 * switched off, so the picker still shows it.
 */
export function pickableCategories(
  categories: readonly ActivityCategoryItem[],
  preferred?: readonly string[],
  current?: string,
): ActivityCategoryItem[] {
  const active = categories.filter((c) => c.active);
  let out: ActivityCategoryItem[];
  if (preferred) {
    const byCode = new Map(active.map((c) => [c.code, c]));
    const first = preferred.map((code) => byCode.get(code)).filter((c): c is ActivityCategoryItem => Boolean(c));
    out = [...first, ...active.filter((c) => !c.builtin && !preferred.includes(c.code))];
  } else {
    out = active;
  }
  if (current && !out.some((c) => c.code === current)) {
    out.push(
      categories.find((c) => c.code === current) ?? {
        code: current,
        nameZh: current,
        nameEn: current,
        active: false,
        position: 0,
        builtin: false,
      },
    );
  }
  return out;
}

/** Select options for categories: icon and name. */
export function useCategoryOptions(preferred?: readonly string[], current?: string) {
  const { locale } = useLocale();
  const { data, isPending } = useActivityCategories();
  const options = useMemo(
    () =>
      pickableCategories(data ?? [], preferred, current).map((c) => ({
        value: c.code,
        label: (
          <Flex gap={6} data-testid={`category-option-${c.code}`}>
            {categoryIcon(c.code)}
            {categoryName(c, locale)}
          </Flex>
        ),
      })),
    [data, preferred, current, locale],
  );
  return { options, loading: isPending, codes: options.map((o) => o.value) };
}

/** The firm's own categories share one colour not used by the built-in ones (the calendar uses it too). */
export const CUSTOM_CATEGORY_COLOR = 'gold';

/** A category as a tag: its name in the UI language; built-in ones with their icon and colour, the firm's own in gold, unknown codes plain. */
export function CategoryTag({ category }: { category: string }) {
  const { locale } = useLocale();
  const { data } = useActivityCategories();
  const known = isCategory(category);
  const custom = !known && Boolean(data?.some((c) => c.code === category));
  return (
    <Tag
      color={known ? CATEGORY_COLORS[category] : custom ? CUSTOM_CATEGORY_COLOR : 'default'}
      icon={categoryIcon(category)}
      style={{ marginInlineEnd: 0 }}
      data-testid={`activity-category-${category}`}
    >
      {categoryLabel(data, locale, category)}
    </Tag>
  );
}
