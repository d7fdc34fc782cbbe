/**
 * The public entry of the customers feature: what other features may use of it. Other features
 * import only this file; the module definition is in customers.module.ts.
 */
export { findCustomerByExternalId } from './customers.repo.js';
export { customerUpsertSchema, type CustomerUpsert } from './customers.schemas.js';
export { upsertCustomer } from './customers.service.js';
