/**
 * The public entry of the auth feature: what other features may use of it. Other features
 * import only this file; the module definition is in auth.module.ts.
 */
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
