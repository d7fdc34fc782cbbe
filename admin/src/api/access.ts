import { useQuery } from '@tanstack/react-query';
import { api, setCsrfToken, unwrap } from './client.js';
import type { ApiKey, Invitation, Me, Organization, User } from './models.js';

const idem = (key: string) => ({ 'idempotency-key': key });

export const usersKey = ['users'] as const;
export const apiKeysKey = ['api-keys'] as const;
export const organizationKey = ['organization'] as const;

export function useUsers() {
  return useQuery({ queryKey: usersKey, queryFn: async ({ signal }) => (await unwrap(api.GET('/api/v1/users', { signal }))).items });
}

export const invitationsKey = ['invitations'] as const;

export function useInvitations() {
  return useQuery({ queryKey: invitationsKey, queryFn: async ({ signal }) => (await unwrap(api.GET('/api/v1/invitations', { signal }))).items });
}

export interface NewInvitation {
  email: string;
  role: 'admin' | 'staff';
  permissions?: string[];
}

export interface CreatedInvitation {
  invitation: Invitation;
  token: string;
  acceptPath: string;
  acceptUrl: string | null;
}

/** The invitation link to pass on: shown once, as the reply carries the only copy of its token. */
export function invitationLink(created: CreatedInvitation): string {
  return created.acceptUrl ?? `${window.location.origin}${created.acceptPath}`;
}

export function createInvitation(body: NewInvitation, key: string): Promise<CreatedInvitation> {
  return unwrap(api.POST('/api/v1/invitations', { body, headers: idem(key) }));
}

export function revokeInvitation(id: string, key: string): Promise<Invitation> {
  return unwrap(api.DELETE('/api/v1/invitations/{id}', { params: { path: { id } }, headers: idem(key) }));
}

export function previewInvitation(token: string) {
  return unwrap(api.POST('/api/v1/invitations/preview', { body: { token } }));
}

export async function acceptInvitation(token: string): Promise<Me> {
  const me = await unwrap(api.POST('/api/v1/invitations/accept', { body: { token } }));
  setCsrfToken(me.csrfToken);
  return me;
}

export async function registerWithInvitation(body: { token: string; name?: string; password: string }): Promise<Me> {
  const me = await unwrap(api.POST('/api/v1/invitations/register', { body }));
  setCsrfToken(me.csrfToken);
  return me;
}

export interface MeChanges {
  name?: string;
  email?: string;
  currentPassword?: string;
  newPassword?: string;
}

/** The signed-in person changes their own name, email or password. */
export function updateMe(body: MeChanges, key: string): Promise<Me> {
  return unwrap(api.PATCH('/api/v1/me', { body, headers: idem(key) }));
}

/** Changes this organization's membership of a person (never their name, email or password). */
export function updateUser(id: string, body: { role?: 'admin' | 'staff'; permissions?: string[]; disabled?: boolean }, key: string): Promise<User> {
  return unwrap(api.PATCH('/api/v1/users/{id}', { params: { path: { id } }, body, headers: idem(key) }));
}

export function useApiKeys() {
  return useQuery({ queryKey: apiKeysKey, queryFn: async ({ signal }) => (await unwrap(api.GET('/api/v1/api-keys', { signal }))).items });
}

export function createApiKey(body: { name: string; scopes: string[] }, key: string): Promise<{ apiKey: ApiKey; secret: string }> {
  return unwrap(api.POST('/api/v1/api-keys', { body, headers: idem(key) }));
}

export function revokeApiKey(id: string, key: string): Promise<ApiKey> {
  return unwrap(api.DELETE('/api/v1/api-keys/{id}', { params: { path: { id } }, headers: idem(key) }));
}

export function useOrganization() {
  return useQuery({ queryKey: organizationKey, queryFn: ({ signal }) => unwrap(api.GET('/api/v1/organization', { signal })) });
}

export function updateOrganization(body: { name?: string; currency?: string; timezone?: string }, key: string): Promise<Organization> {
  return unwrap(api.PATCH('/api/v1/organization', { body, headers: idem(key) }));
}
