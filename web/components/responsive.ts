import { useSyncExternalStore } from 'react';

/** Below this width (a phone, a narrow window) the menu is a drawer and lists are cards. */
export const MOBILE_MAX_WIDTH = 767.98;
const QUERY = `(max-width: ${MOBILE_MAX_WIDTH}px)`;

function subscribe(onChange: () => void) {
  const media = window.matchMedia(QUERY);
  media.addEventListener('change', onChange);
  return () => media.removeEventListener('change', onChange);
}

/**
 * True on a phone-sized screen (under 768 px). Read synchronously from the media query, so the
 * first render already has the right layout (antd's useBreakpoint answers only after an effect).
 */
export function useIsMobile(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => window.matchMedia(QUERY).matches,
    () => false,
  );
}
