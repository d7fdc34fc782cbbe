import { definePatronModule } from '../module.js';
import { authRoutes } from './auth.routes.js';

/** Sign-in, sessions and the caller's own account. */
export const authModule = definePatronModule({ name: 'auth', routes: authRoutes });

// The public entry: what other features use of sign-in, sessions, passwords and permissions.
export { meSchema, replyWithSession } from './auth.routes.js';
export { authenticateSession, describeMe, SESSION_TTL_MS, startSession, type AuthContext, type LoginResult } from './auth.service.js';
export {
  clearFailures,
  deleteOrgSessions,
  deleteUserSessions,
  setLastOrg,
  setSessionOrg,
  takeAttempts,
} from './auth.repo.js';
export { constantTimeEqual, hashPassword, randomToken, sha256, verifyPassword } from './passwords.js';
export {
  DEFAULT_STAFF_PERMISSIONS,
  effectivePermissions,
  isPermission,
  PERMISSION_TEMPLATES,
  PERMISSIONS,
  resolvePermissionList,
  type Permission,
  type Role,
} from './permissions.js';
