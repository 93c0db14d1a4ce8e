import { Suspense, useEffect } from 'react';
import { createBrowserRouter, matchPath, Navigate, RouterProvider, useLocation } from 'react-router';
import { lazyPart, preload } from './app/lazy-page';
import { APP_PAGES, type AppPage } from './app/pages';
import { ErrorNotice, RouteError } from './app/RouteError';
import { MeContext, useMe, useSession, useUnauthorizedRedirect } from './auth/session';
import { errorText } from './components/error-text';
import { FullPageSpin } from './components/FullPageSpin';
import { loadAppCatalog, useLocale, useT } from './i18n';

// The sign-in page and the signed-in shell (menu, header, answer box, bell) are chunks of their own,
// and so is every page (pages.tsx): the first load fetches only what the address shows. The shell comes
// with the signed-in app's strings (the first load has the sign-in page's and the error screens' alone).
const loginPage = lazyPart(() => import('./features/auth/LoginPage').then((m) => m.LoginPage));
const appLayout = lazyPart(() => Promise.all([import('./app/AppLayout'), loadAppCatalog()]).then(([m]) => m.AppLayout));
// antd's Result (with its illustrations) is not part of the first load either: loaded when one shows.
const forbidden = lazyPart(() => import('./components/Results').then((m) => m.ForbiddenResult));
const notFound = lazyPart(() => import('./components/Results').then((m) => m.NotFoundResult));

/** Starts loading the chunks of the address opened while the entry and the session request are still on their way. */
function preloadOpenedPage(pathname: string) {
  if (matchPath('/login', pathname)) return preload(loginPage);
  preload(appLayout);
  // The first registry entry that matches, as the layout's title does (/customers/value-sheet before /customers/:id).
  preload(APP_PAGES.find((page) => matchPath(page.path, pathname)));
}
preloadOpenedPage(window.location.pathname);

/** The signed-in part of the app: without a session, go to the login page and come back afterwards. */
function RequireSession() {
  const { data: me, isPending, error, refetch } = useSession();
  const { locale, setLocale } = useLocale();
  const location = useLocation();
  const t = useT();
  useUnauthorizedRedirect();

  // The server keeps each user's language; follow it when the session starts or it changes there
  // (deliberately not when the local choice changes, which the header saves first).
  const serverLocale = me?.user.locale;
  useEffect(() => {
    if (serverLocale && serverLocale !== locale) setLocale(serverLocale);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the local choice is saved by the header first
  }, [serverLocale]);

  if (isPending) return <FullPageSpin />;
  if (error) return <ErrorNotice detail={errorText(t, error)} onRetry={() => void refetch()} />;
  if (!me) return <Navigate to="/login" replace state={{ from: `${location.pathname}${location.search}` }} />;
  return (
    <MeContext.Provider value={me}>
      <Suspense fallback={<FullPageSpin />}>{appLayout.element}</Suspense>
    </MeContext.Provider>
  );
}

/** A page the user's role does not allow answers 403 instead of rendering. */
function Guarded({ page }: { page: AppPage }) {
  const me = useMe();
  return page.allowed(me) ? page.element : forbidden.element;
}

const router = createBrowserRouter([
  {
    path: '/login',
    element: <Suspense fallback={<FullPageSpin />}>{loginPage.element}</Suspense>,
    errorElement: <RouteError />,
  },
  {
    element: <RequireSession />,
    errorElement: <RouteError />,
    children: [
      ...APP_PAGES.map((page) => ({ path: page.path, element: <Guarded page={page} />, errorElement: <RouteError /> })),
      { path: '*', element: notFound.element },
    ],
  },
]);

export function App() {
  return <RouterProvider router={router} />;
}
