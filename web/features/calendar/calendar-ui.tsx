import { theme } from 'antd';
import type { PresetColorKey } from 'antd/es/theme/interface';
import { useCallback } from 'react';
import { CATEGORY_COLORS, CUSTOM_CATEGORY_COLOR, isCategory } from '../activities/activity-ui';

export type CategoryPalette = {
  /** The strong colour: the event's left edge, the icon. */
  accent: string;
  /** The light fill of a planned event. */
  background: string;
  /** Text on the light fill. */
  text: string;
};

/** The colours of a category on the calendar, from the same antd preset as its tag (CATEGORY_COLORS). */
export function useCategoryPalette(): (category: string) => CategoryPalette {
  const { token } = theme.useToken();
  return useCallback(
    (category: string) => {
      const name = isCategory(category) ? CATEGORY_COLORS[category] : CUSTOM_CATEGORY_COLOR;
      if (name === 'default')
        return { accent: token.colorTextTertiary, background: token.colorFillSecondary, text: token.colorText };
      const key = name as PresetColorKey;
      return { accent: token[`${key}-6`], background: token[`${key}-1`], text: token[`${key}-9`] };
    },
    [token],
  );
}
