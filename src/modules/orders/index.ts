/**
 * The public entry of the orders feature: what other features may use of it. Other features
 * import only this file; the module definition is in orders.module.ts.
 */
export { toOrderView } from './orders.common.js';
export { findOrderByExternalId, type OrderRow } from './orders.repo.js';
export { getOrder, recordOrder, refundOrder } from './orders.service.js';
