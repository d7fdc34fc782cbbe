/**
 * The public entry of the privacy feature: what other features may use of it. Other features
 * import only this file; the module definition is in privacy.module.ts.
 */
export { anonymizeCustomer, anonymizeCustomers, MAX_ERASURE_BATCH, type ErasureOutcome, type ErasureTarget } from './privacy.service.js';
export { exportCustomer } from './privacy.export.js';
