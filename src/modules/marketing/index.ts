/**
 * The public entry of the marketing feature: what other features may use of it. Other features
 * import only this file; the module definition is in marketing.module.ts.
 */
export { customerSyncStatus, resyncCustomer } from './marketing.service.js';
