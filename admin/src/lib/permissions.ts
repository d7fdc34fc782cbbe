import type { Permission } from '../api/models.js';

export const PERMISSION_LABELS: Record<Permission, string> = {
  'customers:read': 'View customers',
  'customers:write': 'Edit customers',
  'points:adjust': 'Adjust points',
  'rewards:issue': 'Issue and revoke rewards',
  'tiers:manage': 'Manage customer tiers',
  'customers:anonymize': 'Anonymize customers',
  'data:export': 'Export data',
  'data:import': 'Import data',
  'settings:manage': 'Manage program settings',
  'users:manage': 'Manage users and API keys',
};

/** Permissions a staff member can be granted (user management stays with admins). */
export const STAFF_PERMISSIONS = (Object.keys(PERMISSION_LABELS) as Permission[]).filter((p) => p !== 'users:manage');

export const TEMPLATES: Record<string, { label: string; permissions: Permission[] }> = {
  support: { label: 'Support', permissions: ['customers:read', 'customers:write', 'points:adjust', 'rewards:issue', 'tiers:manage'] },
  marketing: { label: 'Marketing', permissions: ['customers:read', 'data:export', 'data:import'] },
  viewer: { label: 'Viewer (read only)', permissions: ['customers:read'] },
};
