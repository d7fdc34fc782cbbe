import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, use, useCallback, useEffect, useMemo, type ReactNode } from 'react';
import { onUnauthorized } from '../api/client.js';
import type { Me, Permission } from '../api/models.js';
import { fetchSession, signOut, switchOrganization } from '../api/session.js';

export const ME_KEY = ['me'] as const;

interface Session {
  me: Me;
  can: (permission: Permission) => boolean;
  isAdmin: boolean;
  switchTo: (organizationId: string) => Promise<void>;
  logout: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

/** The signed-in session; only used below <SessionGate>, so it is always present. */
export function useSession(): Session {
  const s = use(SessionContext);
  if (!s) throw new Error('useSession outside of a signed-in page');
  return s;
}

export function useCan(permission: Permission): boolean {
  return useSession().can(permission);
}

/** Who is signed in (GET /api/v1/session, 200 either way); null while signed out. */
export function useMeQuery() {
  return useQuery({
    queryKey: ME_KEY,
    queryFn: ({ signal }) => fetchSession(signal),
    staleTime: 60_000,
    retry: false,
  });
}

export function SessionProvider({ me, children }: { me: Me; children: ReactNode }) {
  const qc = useQueryClient();
  useEffect(
    () =>
      onUnauthorized(() => {
        qc.setQueryData(ME_KEY, null);
      }),
    [qc],
  );
  const switchTo = useCallback(
    async (organizationId: string) => {
      const next = await switchOrganization(organizationId);
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== ME_KEY[0] });
      qc.setQueryData(ME_KEY, next);
    },
    [qc],
  );
  const logout = useCallback(async () => {
    try {
      await signOut();
    } finally {
      qc.setQueryData(ME_KEY, null);
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== ME_KEY[0] });
    }
  }, [qc]);
  const value = useMemo<Session>(() => {
    const granted = new Set<string>(me.permissions);
    return { me, can: (p) => granted.has(p), isAdmin: me.role === 'admin', switchTo, logout };
  }, [me, switchTo, logout]);
  return <SessionContext value={value}>{children}</SessionContext>;
}
