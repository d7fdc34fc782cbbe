import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client.js';
import type { ApiKey, Organization, User } from './models.js';

const idem = (key: string) => ({ 'idempotency-key': key });

export const usersKey = ['users'] as const;
export const apiKeysKey = ['api-keys'] as const;
export const organizationKey = ['organization'] as const;

export function useUsers() {
  return useQuery({ queryKey: usersKey, queryFn: async ({ signal }) => (await unwrap(api.GET('/api/v1/users', { signal }))).items });
}

export interface NewUser {
  email: string;
  password: string;
  name?: string;
  role: 'admin' | 'staff';
  permissions?: string[];
}

export function createUser(body: NewUser, key: string): Promise<User> {
  return unwrap(api.POST('/api/v1/users', { body, headers: idem(key) }));
}

export function updateUser(id: string, body: { role?: 'admin' | 'staff'; permissions?: string[]; disabled?: boolean; name?: string }, key: string): Promise<User> {
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
