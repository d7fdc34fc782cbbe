/**
 * The public entry of the customers feature: what other features may use of it. Other features
 * import only this file; the module definition is in customers.module.ts.
 */
export { anonymizedError, lockForChange } from './customers.lock.js';
export { customerExists, type CustomerRow, findCustomer, findCustomerByExternalId, lockCustomer } from './customers.repo.js';
export { balancesSchema, customerSchema, type CustomerUpsert, customerUpsertSchema, type CustomerView } from './customers.schemas.js';
export { displayName, getCustomerRow, type TierViewLoader, toCustomerView, updateCustomerProfile, upsertCustomer } from './customers.service.js';
