/**
 * The public entry of the membership feature: what other features may use of it. Other features
 * import only this file; the module definition is in membership.module.ts.
 */
export { assertCanRedeem, changeMembership } from './membership.service.js';
