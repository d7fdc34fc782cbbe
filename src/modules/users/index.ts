/**
 * The public entry of the users feature: what other features may use of it. Other features
 * import only this file; the module definition is in users.module.ts.
 */
export { createUser } from './users.service.js';
