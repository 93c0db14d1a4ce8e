import { lazy, type ComponentType, type ReactNode } from 'react';

/** A part of the app whose code is a chunk of its own: the element to render and a way to start loading it early. */
export type LazyPart = {
  /** Renders the part; its code is loaded the first time it renders (under a Suspense boundary). */
  element: ReactNode;
  /** Starts loading the code ahead of time (the page opened at start, a menu entry pointed at). */
  preload: () => Promise<unknown>;
};

/**
 * Code splitting by page: the sign-in page and Today do not load the board, the calendar or the
 * import's parsers. The load is started once and shared by preload and render; a chunk that fails to
 * load (a new release replaced it, the network dropped) is thrown to the route's error element, which
 * offers a reload (RouteError).
 */
export function lazyPart(load: () => Promise<ComponentType>): LazyPart {
  let loading: Promise<{ default: ComponentType }> | undefined;
  const preload = () => (loading ??= load().then((component) => ({ default: component })));
  const Part = lazy(preload);
  return { element: <Part />, preload };
}

/** Preloads without an unhandled rejection: a failure shows when the part renders (the error element). */
export function preload(part: Pick<LazyPart, 'preload'> | undefined) {
  part?.preload().catch(() => {});
}
