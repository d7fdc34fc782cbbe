/**
 * The orders use cases, one file each: record (create or move forward), refund, cancel,
 * fulfil, and the queries. Points are the ledger's business (points.orders.ts).
 */
export { cancelOrder } from './orders.cancel.js';
export { toOrderView, type MoneyInput, type OrderInput } from './orders.common.js';
export { fulfilOrder } from './orders.fulfil.js';
export { getOrder, listCustomerOrders } from './orders.queries.js';
export { recordOrder } from './orders.record.js';
export { refundOrder } from './orders.refund.js';
