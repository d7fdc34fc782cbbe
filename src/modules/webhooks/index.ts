/**
 * The public entry of the webhooks feature: what other features may use of it. Other features
 * import only this file; the module definition is in webhooks.module.ts.
 */
export { deliveriesSettled, sendDue } from './webhooks.delivery.js';
