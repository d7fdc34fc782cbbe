import type { ReactNode } from 'react';
import type { Permission } from '../api/models.js';
import { useSession } from '../lib/session.js';
import { EmptyState } from './feedback.js';

export function NoAccess({ permission }: { permission: Permission }) {
  return (
    <EmptyState icon="shield" title="You don't have access to this page">
      It needs the {permission} permission. Ask an organization admin if you need it.
    </EmptyState>
  );
}

/** Shows the page only with the permission; the API refuses the same calls anyway. */
export function RequirePermission({ permission, children }: { permission: Permission; children: ReactNode }) {
  const { can } = useSession();
  return can(permission) ? children : <NoAccess permission={permission} />;
}

/** Renders its children only with the permission (actions a role may not take are absent, not disabled). */
export function Can({ permission, children }: { permission: Permission; children: ReactNode }) {
  const { can } = useSession();
  return can(permission) ? children : null;
}
