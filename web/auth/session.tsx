import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect } from 'react';
import type { Me } from '../../common/schemas/auth';
import { scopeRank, type Permission, type Scope } from '../../common/permissions';
import { setCsrfToken, setUnauthorizedHandler } from '../api/client';
import { authApi } from '../api/resources';

export const ME_KEY = ['me'] as const;

/** The session as the server sees it: `Me`, or null when signed out. */
export function useSession() {
  return useQuery({
    queryKey: ME_KEY,
    queryFn: async () => {
      const me = await authApi.me();
      setCsrfToken(me?.csrfToken ?? null);
      return me;
    },
    staleTime: Infinity,
    retry: false,
  });
}

/** Stores a fresh `Me` (after login or a profile change) where every component reads it. */
export function storeMe(queryClient: QueryClient, me: Me | null) {
  setCsrfToken(me?.csrfToken ?? null);
  queryClient.setQueryData(ME_KEY, me);
}

/** Ends the session on the client: every cached read goes, the app falls back to the login page. */
export function clearSession(queryClient: QueryClient) {
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== ME_KEY[0] });
  storeMe(queryClient, null);
}

/** Any 401 from the API means the session is gone (expired, revoked, user deactivated). */
export function useUnauthorizedRedirect() {
  const queryClient = useQueryClient();
  useEffect(() => {
    setUnauthorizedHandler(() => clearSession(queryClient));
    return () => setUnauthorizedHandler(null);
  }, [queryClient]);
}

export const MeContext = createContext<Me | null>(null);

/** The signed-in user; only inside the authenticated part of the app. */
export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe outside an authenticated route');
  return me;
}

/** Whether the user's role grants the permission, at least with the given scope. */
export function can(me: Me, permission: Permission, atLeast: Scope = 'own'): boolean {
  return scopeRank(me.grants[permission]) >= scopeRank(atLeast);
}
