/**
 * The public entry of the points feature: what other features may use of it. Other features
 * import only this file; the module definition is in points.module.ts.
 */
export { adjustOnce } from './points.adjust.js';
export { credit, debit, restore } from './points.ledger.js';
export { assertCanDeduct, assertCanRedeem } from './points.membership.js';
export { activateOnFulfilment, earnOrderPoints, reverseOrderPoints } from './points.orders.js';
export { type CustomerRow, type EntryRow, findEntry, findEntryByUniqueKey, lockCustomer } from './points.repo.js';
export { parseTimeCursor, timeCursor } from './points.routes.js';
export { entrySchema, pointsAmount } from './points.schemas.js';
export { adjustPoints, balancesOf, expiryFor, lockForChange, toEntryView } from './points.service.js';
export { type OrderRefundsTable, type OrdersTable, type OrderStatus } from './points.tables.js';
export { groupingStats } from './points.group.js';
