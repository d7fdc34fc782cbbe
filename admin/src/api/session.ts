import { api, setCsrfToken, unwrap } from './client.js';
import type { Me } from './models.js';

export async function fetchMe(signal?: AbortSignal): Promise<Me> {
  const me = await unwrap(api.GET('/api/v1/me', { signal }));
  setCsrfToken(me.csrfToken);
  return me;
}

/**
 * Who is signed in, or null: asks GET /api/v1/session, which answers 200 either way, so a
 * cold page load logs no 401 in the browser console.
 */
export async function fetchSession(signal?: AbortSignal): Promise<Me | null> {
  const res = await fetch('/api/v1/session', { credentials: 'same-origin', headers: { accept: 'application/json' }, signal });
  if (!res.ok) throw new Error(`Could not check the session (HTTP ${res.status}); reload the page`);
  const body = (await res.json()) as { signedIn: boolean; me: Me | null };
  setCsrfToken(body.me?.csrfToken ?? null);
  return body.signedIn ? body.me : null;
}

export async function signIn(input: { email: string; password: string; organization?: string }): Promise<Me> {
  const me = await unwrap(api.POST('/api/v1/auth/login', { body: input }));
  setCsrfToken(me.csrfToken);
  return me;
}

export async function signOut(): Promise<void> {
  await unwrap(api.POST('/api/v1/auth/logout'));
  setCsrfToken(null);
}

export async function switchOrganization(organizationId: string): Promise<Me> {
  const me = await unwrap(api.POST('/api/v1/auth/switch-organization', { body: { organizationId } }));
  setCsrfToken(me.csrfToken);
  return me;
}
