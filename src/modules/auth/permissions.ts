/** Every permission a staff role template can grant. Admins hold all of them. */
export const PERMISSIONS = [
  'customers:read',
  'customers:write',
  'points:adjust',
  'rewards:issue',
  'tiers:manage',
  'customers:anonymize',
  'data:export',
  'data:import',
  'settings:manage',
  'users:manage',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export function isPermission(p: string): p is Permission {
  return (PERMISSIONS as readonly string[]).includes(p);
}

/** Ready-made role templates for staff; a staff member gets one template or an explicit list. */
export const PERMISSION_TEMPLATES: Record<string, readonly Permission[]> = {
  support: ['customers:read', 'customers:write', 'points:adjust', 'rewards:issue', 'tiers:manage'],
  marketing: ['customers:read', 'data:export', 'data:import'],
  viewer: ['customers:read'],
};

export const DEFAULT_STAFF_PERMISSIONS: readonly Permission[] = PERMISSION_TEMPLATES.support!;

export type Role = 'admin' | 'staff';

export function effectivePermissions(role: Role, granted: readonly string[]): Permission[] {
  if (role === 'admin') return [...PERMISSIONS];
  // Managing users and API keys stays with admins whatever a template says.
  return granted.filter(isPermission).filter((p) => p !== 'users:manage');
}

/** Resolves `--permissions` input: template names and permission names, validated. */
export function resolvePermissionList(items: readonly string[]): { ok: true; value: Permission[] } | { ok: false; bad: string } {
  const out = new Set<Permission>();
  for (const raw of items) {
    const item = raw.trim();
    if (!item) continue;
    const template = PERMISSION_TEMPLATES[item];
    if (template) {
      template.forEach((p) => out.add(p));
    } else if (isPermission(item)) {
      out.add(item);
    } else {
      return { ok: false, bad: item };
    }
  }
  return { ok: true, value: [...out] };
}
