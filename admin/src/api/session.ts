import { api, setCsrfToken, unwrap } from './client.js';
import type { Me } from './models.js';

export async function fetchMe(signal?: AbortSignal): Promise<Me> {
  const me = await unwrap(api.GET('/api/v1/me', { signal }));
  setCsrfToken(me.csrfToken);
  return me;
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
