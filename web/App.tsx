import { useEffect } from 'react';
import { createBrowserRouter, Navigate, RouterProvider, useLocation, useRouteError } from 'react-router';
import { AppLayout } from './app/AppLayout';
import { APP_PAGES, type AppPage } from './app/pages';
import { MeContext, useMe, useSession, useUnauthorizedRedirect } from './auth/session';
import { errorText } from './components/errors';
import { ErrorResult, ForbiddenResult, FullPageSpin, NotFoundResult } from './components/Results';
import { LoginPage } from './features/auth/LoginPage';
import { useLocale, useT } from './i18n';

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
  if (error) return <ErrorResult detail={errorText(t, error)} onRetry={() => void refetch()} />;
  if (!me) return <Navigate to="/login" replace state={{ from: `${location.pathname}${location.search}` }} />;
  return (
    <MeContext.Provider value={me}>
      <AppLayout />
    </MeContext.Provider>
  );
}

/** A page the user's role does not allow answers 403 instead of rendering. */
function Guarded({ page }: { page: AppPage }) {
  const me = useMe();
  return page.allowed(me) ? page.element : <ForbiddenResult />;
}

function RouteError() {
  const error = useRouteError();
  const t = useT();
  return (
    <ErrorResult
      detail={error instanceof Error ? errorText(t, error) : undefined}
      onRetry={() => window.location.reload()}
    />
  );
}

const router = createBrowserRouter([
  { path: '/login', element: <LoginPage />, errorElement: <RouteError /> },
  {
    element: <RequireSession />,
    errorElement: <RouteError />,
    children: [
      ...APP_PAGES.map((page) => ({ path: page.path, element: <Guarded page={page} />, errorElement: <RouteError /> })),
      { path: '*', element: <NotFoundResult /> },
    ],
  },
]);

export function App() {
  return <RouterProvider router={router} />;
}
