import { useSyncExternalStore } from 'react';

/** Below this width (a phone, a narrow window) the menu is a drawer and lists are cards. */
export const MOBILE_MAX_WIDTH = 767.98;

/**
 * A hook answering whether a CSS media query matches, read synchronously, so the first render already has the
 * right answer (antd's useBreakpoint answers only after an effect), and again whenever it changes.
 */
function mediaQuery(query: string) {
  const subscribe = (onChange: () => void) => {
    const media = window.matchMedia(query);
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  };
  const matches = () => window.matchMedia(query).matches;
  return function useMediaQuery(): boolean {
    return useSyncExternalStore(subscribe, matches, () => false);
  };
}

/** True on a phone-sized screen (under 768 px). */
export const useIsMobile = mediaQuery(`(max-width: ${MOBILE_MAX_WIDTH}px)`);

/** True when the person asked their system for less motion ("reduce motion"): the app then animates nothing. */
export const usePrefersReducedMotion = mediaQuery('(prefers-reduced-motion: reduce)');
